/**
 * The native RTSP client against a real camera (GStreamer's RTSP server),
 * side by side with node-av's (FFmpeg's) RTSP demuxer as the oracle, and
 * recording through Vigil's recorder into segments judged by ffprobe/ffmpeg.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeErrors, makeTestClip, probeStreams } from '../../../test/helpers/media-check.js';
import { startRtspCamera, type RtspCamera } from '../../../test/helpers/rtsp-camera.js';
import { Archive } from '../../archive/index.js';
import { isVigilError } from '../../errors.js';
import { splitAnnexB } from '../../mp4/bitstream/annex-b.js';
import { Recorder } from '../../record/recorder.js';
import { createMediaEngine } from '../engine.js';
import type { MediaEngine, MediaSource, SourcePacket } from '../types.js';
import { openNativeRtspSource } from './rtsp-source.js';

const timeouts = { openTimeoutMs: 10_000, readTimeoutMs: 5_000 };
const ffmpegEngine = createMediaEngine();

/** Video packets from the first keyframe on, and the audio beside them, until `videoCount` video packets. */
async function read(
  source: MediaSource,
  videoCount: number,
): Promise<{ video: SourcePacket[]; audio: SourcePacket[] }> {
  const video: SourcePacket[] = [];
  const audio: SourcePacket[] = [];
  const videoIndex = source.tracks.find((t) => t.kind === 'video')?.index;
  for await (const packet of source.packets()) {
    if (packet.trackIndex !== videoIndex) {
      audio.push(packet);
      continue;
    }
    if (video.length === 0 && !packet.isKeyframe) continue;
    video.push(packet);
    if (video.length >= videoCount) break;
  }
  return { video, audio };
}

/**
 * NAL units of a payload, hex: FFmpeg's are Annex B, the native client's
 * length-prefixed (a form cannot be told from the bytes alone: a 256–511-byte
 * NAL unit's length reads as a start code).
 */
function nalUnits(payload: Uint8Array, form: 'annex-b' | 'length-prefixed'): string[] {
  let units: Uint8Array[];
  if (form === 'annex-b') {
    units = splitAnnexB(payload);
  } else {
    units = [];
    const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    for (let at = 0; at < view.length; at += 4 + view.readUInt32BE(at)) {
      units.push(view.subarray(at + 4, at + 4 + view.readUInt32BE(at)));
    }
  }
  return units.map((u) => Buffer.from(u).toString('hex'));
}

function assertDtsOrder(packets: SourcePacket[]): void {
  for (const [i, p] of packets.entries()) {
    assert.ok(p.dts !== undefined && p.pts !== undefined);
    assert.ok(p.dts <= p.pts, `dts ${p.dts} <= pts ${p.pts} at ${i}`);
    if (i > 0) assert.ok(p.dts > packets[i - 1]!.dts!, `dts increases at ${i}`);
  }
}

async function withBoth<T>(url: string, fn: (native: MediaSource, ffmpeg: MediaSource) => Promise<T>): Promise<T> {
  const [native, ffmpeg] = await Promise.all([
    openNativeRtspSource(url, timeouts),
    ffmpegEngine.openSource(url, { ...timeouts, rtspClient: 'ffmpeg' }),
  ]);
  try {
    return await fn(native, ffmpeg);
  } finally {
    await Promise.all([native.close(), ffmpeg.close()]);
  }
}

describe('native RTSP source against a live camera (H.264 + G.711)', { timeout: 120_000 }, () => {
  let camera: RtspCamera;
  before(async () => (camera = await startRtspCamera()));
  after(async () => camera.stop());

  test('gives the tracks FFmpeg gives, the same keyframes byte for byte, and ordered dts', async () => {
    await withBoth(camera.url, async (native, ffmpeg) => {
      const shape = (s: MediaSource): unknown =>
        s.tracks.map((t) => [t.kind, t.codec, t.width, t.height, t.sampleRate, t.channelCount]);
      assert.deepEqual(shape(native), shape(ffmpeg));
      assert.deepEqual(native.tracks[0]?.timeBase, { num: 1, den: 90_000 });
      // ~5 s of video, read at once from the same shared camera pipeline.
      const [mine, theirs] = await Promise.all([read(native, 125), read(ffmpeg, 125)]);
      assertDtsOrder(mine.video);
      const theirKeyframes = new Set(
        theirs.video.filter((p) => p.isKeyframe).map((p) => nalUnits(p.data, 'annex-b').join()),
      );
      const myKeyframes = mine.video.filter((p) => p.isKeyframe);
      const shared = myKeyframes.filter((p) => theirKeyframes.has(nalUnits(p.data, 'length-prefixed').join()));
      assert.ok(myKeyframes.length >= 4, `${myKeyframes.length} keyframes`);
      assert.ok(
        shared.length >= myKeyframes.length - 1,
        `${shared.length} of ${myKeyframes.length} keyframes identical`,
      );
      // G.711 at 8 kHz: 5 s of it, in order.
      const audioSamples = mine.audio.reduce((n, p) => n + p.duration, 0);
      assert.ok(audioSamples >= 4 * 8000, `${audioSamples} audio samples`);
      assertDtsOrder(mine.audio);
    });
  });

  test('a camera that goes away fails the read (SOURCE_FAILED or TIMEOUT), it does not hang', async () => {
    const source = await openNativeRtspSource(camera.url, timeouts);
    try {
      await read(source, 10);
      const stopping = camera.stop();
      await assert.rejects(
        (async () => {
          for await (const packet of source.packets()) void packet;
        })(),
        (err) => isVigilError(err, 'SOURCE_FAILED') || isVigilError(err, 'TIMEOUT'),
      );
      await stopping;
    } finally {
      await source.close();
      await camera.restart();
    }
  });

  test('an abort ends the read with CANCELED', async () => {
    const controller = new AbortController();
    const source = await openNativeRtspSource(camera.url, { ...timeouts, signal: controller.signal });
    try {
      await read(source, 5);
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(
        (async () => {
          for await (const packet of source.packets()) void packet;
        })(),
        (err) => isVigilError(err, 'CANCELED'),
      );
    } finally {
      await source.close();
    }
  });
});

describe('native RTSP source: opening what is not a camera', () => {
  test('a refused connection fails with SOURCE_FAILED', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    await new Promise((done) => server.close(done));
    await assert.rejects(openNativeRtspSource(`rtsp://127.0.0.1:${port}/cam`, timeouts), (err) =>
      isVigilError(err, 'SOURCE_FAILED'),
    );
  });

  test('a server that never answers fails with TIMEOUT after openTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => void sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(
        openNativeRtspSource(`rtsp://user:secret@127.0.0.1:${port}/cam`, { ...timeouts, openTimeoutMs: 500 }),
        (err) => isVigilError(err, 'TIMEOUT') && !/secret/.test((err as Error).message),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    }
  });
});

for (const codec of ['h264', 'h265'] as const) {
  describe(`native RTSP source against a pre-encoded ${codec} stream with B-frames`, { timeout: 120_000 }, () => {
    let dir: string;
    let clip: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vigil-rtsp-native-'));
      clip = join(dir, 'clip.mp4');
      const videoCodec = codec === 'h264' ? 'libx264' : 'libx265';
      await makeTestClip(clip, { seconds: 8, audioRate: null, videoCodec, outputArgs: ['-bf', '3'] });
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('every access unit equals FFmpeg’s, and dts are ordered and never after pts', async () => {
      // File mode: a pipeline per client, so each reader gets the file from its start.
      const camera = await startRtspCamera({ file: clip, codec, audio: false });
      try {
        await withBoth(camera.url, async (native, ffmpeg) => {
          assert.equal(native.tracks[0]?.codec, codec === 'h264' ? 'h264' : 'hevc');
          assert.deepEqual(
            [native.tracks[0]?.width, native.tracks[0]?.height],
            [ffmpeg.tracks[0]?.width, ffmpeg.tracks[0]?.height],
          );
          const [mine, theirs] = await Promise.all([read(native, 100), read(ffmpeg, 100)]);
          assertDtsOrder(mine.video);
          assert.ok(
            mine.video.some((p) => p.pts! > p.dts!),
            'B-frames reorder',
          );
          assert.deepEqual(
            mine.video.map((p) => nalUnits(p.data, 'length-prefixed').join()),
            theirs.video.map((p) => nalUnits(p.data, 'annex-b').join()),
          );
          assert.deepEqual(
            mine.video.map((p) => p.isKeyframe),
            theirs.video.map((p) => p.isKeyframe),
          );
          // Both zero the clock at RTP-Info's time: the same pts, and the same dts wherever FFmpeg
          // gives one (it leaves the first few frames without).
          for (const [i, p] of theirs.video.entries()) {
            if (p.pts !== undefined) assert.equal(mine.video[i]?.pts, p.pts, `pts of ${i}`);
            if (p.dts !== undefined) assert.equal(mine.video[i]?.dts, p.dts, `dts of ${i}`);
          }
          assert.ok(theirs.video.filter((p) => p.dts !== undefined).length > 90, 'FFmpeg gives dts to compare with');
        });
      } finally {
        await camera.stop();
      }
    });
  });
}

/** The engine the recorder gets: every open goes to the native client. */
function nativeEngine(): MediaEngine {
  return { ...ffmpegEngine, openSource: (url, options) => openNativeRtspSource(url, options) };
}

async function record(url: string, fragments: number, expectedCodecs: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rtsp-native-rec-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    const recorder = new Recorder({
      engine: nativeEngine(),
      archive,
      stream: 'cam',
      variant: 'main',
      url,
      segmentDurationUs: 2_000_000,
      // The worker thread reads with FFmpeg; the main thread uses the engine given here.
      thread: 'main',
    });
    recorder.start();
    try {
      const signal = AbortSignal.timeout(60_000);
      for (let i = 0; i < fragments; i++) await once(recorder, 'fragmentWritten', { signal });
    } finally {
      await recorder.stop();
    }
    const segments = await archive.listAllSegments();
    assert.ok(segments.length >= 2, `${segments.length} segments`);
    for (const segment of segments) {
      const file = join(segment.root, segment.path);
      const streams = await probeStreams(file);
      assert.deepEqual(
        streams.map((s) => s.codec_name),
        expectedCodecs,
        file,
      );
      assert.equal(await decodeErrors(file), '', file);
    }
  } finally {
    await archive.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('recording with the native RTSP client', { timeout: 180_000 }, () => {
  test('a live H.264 + G.711 camera: segments that ffprobe reads and ffmpeg decodes without a word', async () => {
    const camera = await startRtspCamera();
    try {
      await record(camera.url, 6, ['h264', 'aac']);
    } finally {
      await camera.stop();
    }
  });

  test('an H.264 stream with B-frames: the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rtsp-native-bf-'));
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 12, audioRate: null, outputArgs: ['-bf', '3'] });
    const camera = await startRtspCamera({ file: clip, audio: false });
    try {
      await record(camera.url, 5, ['h264']);
    } finally {
      await camera.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
