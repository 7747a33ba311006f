/**
 * StreamPublisher to files and to live HLS, read back with Debian's ffprobe:
 * 10 s of generated frames (scrolling bars and a frame counter), checked for
 * frame count, frame rate, size (scaled from a different source size), GOP
 * length and B-frames; HLS playlists checked for segment length, the sliding
 * window and deleted segments.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { isVigilError } from '../../src/errors.js';
import { paintTestFrame, StreamPublisher, type PublisherParameters } from '../../src/publish/index.js';
import { decodeErrors, makeTestClip } from '../helpers/media-check.js';

const run = promisify(execFile);

interface ProbedVideo {
  codec: string;
  width: number;
  height: number;
  rate: string;
  frames: number;
  /** Frame numbers of the keyframes, in presentation order. */
  keyframes: number[];
  pictTypes: string;
}

/** What a viewer's player sees in `path`: ffprobe decodes every frame. */
async function probeVideo(path: string): Promise<ProbedVideo> {
  const { stdout } = await run(
    'ffprobe',
    [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_frames'],
      ...['-show_entries', 'stream=codec_name,width,height,r_frame_rate:frame=key_frame,pict_type'],
      ...['-of', 'json', path],
    ],
    { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const parsed = JSON.parse(stdout) as {
    streams: Array<{ codec_name: string; width: number; height: number; r_frame_rate: string }>;
    frames: Array<{ key_frame: number; pict_type: string }>;
  };
  const stream = parsed.streams[0];
  assert.ok(stream !== undefined, `${path} has a video stream`);
  return {
    codec: stream.codec_name,
    width: stream.width,
    height: stream.height,
    rate: stream.r_frame_rate,
    frames: parsed.frames.length,
    keyframes: parsed.frames.flatMap((f, i) => (f.key_frame === 1 ? [i] : [])),
    pictTypes: parsed.frames.map((f) => f.pict_type).join(''),
  };
}

/** Pushes `count` frames of the test pattern as fast as serveFrame takes them. */
async function pushFrames(publisher: StreamPublisher, count: number, width: number, height: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    assert.equal(
      await publisher.serveFrame(paintTestFrame(i, width, height)),
      true,
      `frame ${i}: ${publisher.lastError?.message}`,
    );
  }
}

/** A planar YUV 4:2:0 frame: a luma ramp that moves with `index`, grey chroma. */
function yuvTestFrame(index: number, width: number, height: number): Uint8Array {
  const frame = new Uint8Array((width * height * 3) / 2).fill(128);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) frame[y * width + x] = (x + y + index * 3) & 0xff;
  }
  return frame;
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-publish-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('publishing 10 s of frames to a file', { timeout: 180_000 }, () => {
  test('MP4: scaled from the source size, GOP 25 with B-frames; waitRef grows when not paced', async () => {
    const publisher = new StreamPublisher();
    publisher.setParameter({ widthSrc: 481, heightSrc: 270, width: 320, height: 180, GOPSize: 25, maxBframe: 2 });
    const file = join(dir, 'scaled.mp4');
    await publisher.open(file);
    assert.equal(publisher.getParameter('formatName'), 'mp4');
    await pushFrames(publisher, 250, 481, 270);
    assert.ok(publisher.getParameter('waitRef') > 0, 'pushed far ahead of real time: wait before the next frame');
    await publisher.close();
    assert.deepEqual(publisher.counters.dropped, 0);
    assert.ok(publisher.counters.bytes > 0);

    const video = await probeVideo(file);
    assert.deepEqual(
      [video.codec, video.width, video.height, video.rate, video.frames],
      ['h264', 320, 180, '25/1', 250],
    );
    assert.deepEqual(video.keyframes, [0, 25, 50, 75, 100, 125, 150, 175, 200, 225]);
    assert.match(video.pictTypes, /B/, 'maxBframe 2: B-frames are used');
    assert.equal(await decodeErrors(file), '');
  });

  test('Matroska: 30 fps, default GOP of 2 s, no B-frames at maxBframe 0', async () => {
    const publisher = new StreamPublisher();
    publisher.setParameter({ width: 320, height: 240, frameRate: [30, 1], maxBframe: 0 });
    assert.equal(publisher.getParameter('GOPSize'), 60);
    const file = join(dir, 'plain.mkv');
    await publisher.open(file);
    await pushFrames(publisher, 300, 320, 240);
    await publisher.close();
    const video = await probeVideo(file);
    assert.deepEqual([video.width, video.height, video.rate, video.frames], [320, 240, '30/1', 300]);
    assert.deepEqual(video.keyframes, [0, 60, 120, 180, 240]);
    assert.doesNotMatch(video.pictTypes, /B/);
  });

  test('MPEG-TS with libx265 and mpeg4, from BGR and planar YUV frames', async () => {
    const cases: Array<[string, PublisherParameters, string]> = [
      ['hevc.ts', { codecName: 'libx265', pixelFormat: 'bgr24', GOPSize: 10 }, 'hevc'],
      ['mpeg4.ts', { codecName: 'mpeg4', pixelFormat: 'yuv420p', GOPSize: 10, bitRate: 400 }, 'mpeg4'],
    ];
    for (const [name, params, codec] of cases) {
      const publisher = new StreamPublisher();
      publisher.setParameter({ width: 160, height: 120, ...params });
      await publisher.open(join(dir, name));
      for (let i = 0; i < 30; i++) {
        const frame = params.pixelFormat === 'yuv420p' ? yuvTestFrame(i, 160, 120) : paintTestFrame(i, 160, 120);
        assert.equal(await publisher.serveFrame(frame), true);
      }
      await publisher.close();
      const video = await probeVideo(join(dir, name));
      assert.deepEqual([video.codec, video.frames, video.width], [codec, 30, 160], name);
      assert.deepEqual(video.keyframes, [0, 10, 20], name);
    }
  });

  test('a frame of the wrong size is refused with both sizes, and nothing is sent for it', async () => {
    const publisher = new StreamPublisher();
    const errors: string[] = [];
    publisher.on('error', (err) => errors.push(err.message));
    publisher.setParameter({ width: 160, height: 120 });
    const file = join(dir, 'refused.mp4');
    await publisher.open(file);
    assert.equal(await publisher.serveFrame(paintTestFrame(0, 160, 120)), true);
    assert.equal(await publisher.serveFrame(paintTestFrame(1, 120, 160).subarray(1)), false);
    assert.match(publisher.lastError?.message ?? '', /^frame: expected 57600 bytes \(120 x 160 x 3 rgb24\), got 57599/);
    assert.equal(errors.length, 1);
    assert.equal(await publisher.serveFrame(paintTestFrame(2, 160, 120)), true);
    await publisher.close();
    assert.deepEqual([publisher.counters.pushed, publisher.counters.dropped], [2, 1]);
    assert.equal((await probeVideo(file)).frames, 2);
    assert.equal(await publisher.serveFrame(paintTestFrame(3, 160, 120)), false, 'closed');
  });

  test('parameters that shape the encoder cannot change while open; opening again closes the first output', async () => {
    const publisher = new StreamPublisher();
    publisher.setParameter({ width: 160, height: 120, GOPSize: 5 });
    const first = join(dir, 'first.mp4');
    await publisher.open(first);
    assert.throws(
      () => publisher.setParameter({ width: 320 }),
      (err: unknown) => isVigilError(err, 'CONFLICT') && err.field === 'width' && /close\(\) first/.test(err.message),
    );
    publisher.setParameter({ width: 160, frameAhead: 3 });
    assert.equal(publisher.getParameter('frameAhead'), 3);
    assert.throws(
      () => publisher.getParameter('size' as 'width'),
      (err: unknown) => isVigilError(err, 'UNKNOWN_FIELD'),
    );
    await pushFrames(publisher, 10, 160, 120);
    const second = join(dir, 'second.mkv');
    await publisher.open(second);
    assert.equal(publisher.getParameter('address'), second);
    await pushFrames(publisher, 5, 160, 120);
    assert.match(
      String(publisher),
      /^StreamPublisher \(open\) → .*second\.mkv \[matroska\]\n {2}config: libx264 veryfast, 160x120/,
    );
    await publisher.clear();
    assert.equal(publisher.getParameter('width'), undefined);
    assert.deepEqual([(await probeVideo(first)).frames, (await probeVideo(second)).frames], [10, 5]);
  });

  test('source copies size and frame rate from a probed file; explicit values win', async () => {
    const clip = join(dir, 'source.mp4');
    await makeTestClip(clip, { seconds: 1, size: '640x360', fps: 30, audioRate: null });
    const publisher = new StreamPublisher();
    publisher.setParameter({ height: 240 });
    await publisher.setParameter({ source: clip });
    assert.deepEqual(
      [publisher.getParameter('width'), publisher.getParameter('height'), publisher.getParameter('frameRate')],
      [640, 240, [30, 1]],
    );
  });
});

describe('publishing live HLS', { timeout: 180_000 }, () => {
  /** The segments a playlist lists, with their durations. */
  function listed(playlist: string): Array<{ uri: string; seconds: number }> {
    const lines = readFileSync(playlist, 'utf8').split('\n');
    return lines.flatMap((line, i) =>
      line.startsWith('#EXTINF:') ? [{ seconds: Number.parseFloat(line.slice(8)), uri: lines[i + 1] ?? '' }] : [],
    );
  }

  test('a sliding window of fMP4 segments of hlsTime, old segments deleted, readable while pushed', async () => {
    const hlsDir = join(dir, 'live');
    const playlist = join(hlsDir, 'cam.m3u8');
    const publisher = new StreamPublisher();
    publisher.setParameter({ width: 320, height: 180, hlsTime: 1, hlsListSize: 3 });
    assert.equal(publisher.getParameter('GOPSize'), 25, 'one GOP per segment');
    await publisher.open(playlist);
    await pushFrames(publisher, 150, 320, 180);
    const midway = listed(playlist);
    assert.ok(midway.length >= 1, 'segments are listed while frames are still pushed');
    await pushFrames(publisher, 100, 320, 180);
    await publisher.close();

    const segments = listed(playlist);
    assert.equal(segments.length, 3);
    for (const { seconds } of segments) assert.ok(Math.abs(seconds - 1) < 0.05, `segment of ${seconds} s`);
    const text = readFileSync(playlist, 'utf8');
    assert.match(text, /#EXT-X-MEDIA-SEQUENCE:7\n/, 'segments 0–6 slid out of the window');
    assert.match(text, /#EXT-X-MAP:URI="cam_init\.mp4"/);
    const onDisk = readdirSync(hlsDir).filter((f) => f.endsWith('.m4s'));
    assert.ok(onDisk.length <= 4, `old segments are deleted: ${onDisk.join(', ')}`);
    assert.ok(!onDisk.includes('cam_00000.m4s'));
    const video = await probeVideo(playlist);
    assert.deepEqual([video.width, video.height, video.frames], [320, 180, 75]);
  });

  test('an event playlist keeps every segment; MPEG-TS segments when asked', async () => {
    const playlist = join(dir, 'event', 'all.m3u8');
    const publisher = new StreamPublisher();
    publisher.setParameter({ width: 160, height: 120, hlsPlaylist: 'event', hlsSegmentType: 'mpegts' });
    await publisher.open(playlist);
    await pushFrames(publisher, 250, 160, 120);
    await publisher.close();
    const segments = listed(playlist);
    assert.deepEqual(
      segments.map((s) => s.uri),
      [0, 1, 2, 3, 4].map((n) => `all_0000${n}.ts`),
    );
    assert.match(readFileSync(playlist, 'utf8'), /#EXT-X-PLAYLIST-TYPE:EVENT/);
    assert.equal((await probeVideo(playlist)).frames, 250);
  });
});
