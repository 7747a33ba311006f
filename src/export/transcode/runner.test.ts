import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isVigilError } from '../../errors.js';
import { decodeErrors, makeTestClip, probeDurationSeconds, probeStreams } from '../../../test/helpers/media-check.js';
import { runTranscode } from './runner.js';
import type { TranscodeOptions, TranscodeProgress } from './types.js';

const FMP4 = ['-movflags', '+frag_keyframe+empty_moov+default_base_moof'];

describe('runTranscode', () => {
  let dir: string;
  let clip: string;
  let fragmented: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-transcode-'));
    clip = join(dir, 'clip.mp4');
    fragmented = join(dir, 'clip-fmp4.mp4');
    await makeTestClip(clip, { seconds: 4 });
    await makeTestClip(fragmented, { seconds: 4, outputArgs: FMP4 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const transcode = async (name: string, options: TranscodeOptions, inputPath = clip) => {
    const outputPath = join(dir, name);
    const progress: TranscodeProgress[] = [];
    const result = await runTranscode({
      input: { path: inputPath },
      outputPath,
      options,
      onProgress: (p) => progress.push(p),
    });
    return { outputPath, progress, result, streams: await probeStreams(outputPath) };
  };

  it('turns 1080p into 720p H.264, piped in as fragmented MP4, with progress that never goes back', async () => {
    const input = join(dir, 'hd.mp4');
    await makeTestClip(input, { seconds: 1, size: '1920x1080', fps: 10, audioRate: null, outputArgs: FMP4 });
    const outputPath = join(dir, 'hd-720.mp4');
    const progress: TranscodeProgress[] = [];
    const result = await runTranscode({
      input: { bytes: createReadStream(input, { highWaterMark: 16_384 }), durationS: 1 },
      outputPath,
      options: { videoCodec: 'h264', width: 1280, height: 720, audio: { mode: 'drop' }, container: 'mp4' },
      onProgress: (p) => progress.push(p),
    });
    const [video, ...rest] = await probeStreams(outputPath);
    assert.deepEqual([video?.codec_name, video?.width, video?.height, rest.length], ['h264', 1280, 720, 0]);
    assert.equal(result.videoEncoder, 'libx264');
    assert.equal(await decodeErrors(outputPath), '');
    const done = progress.map((p) => p.doneS);
    assert.deepEqual(
      done,
      [...done].sort((a, b) => a - b),
      'progress never decreases',
    );
    assert.equal(progress.at(-1)?.doneS, 1);
    assert.equal(progress.at(-1)?.totalS, 1);
  });

  it('hits the asked video bitrate within 25 %', async () => {
    const { outputPath } = await transcode('rate.mp4', {
      videoCodec: 'h264',
      videoBitrateKbps: 400,
      audio: { mode: 'drop' },
      container: 'mp4',
    });
    const kbps = (statSync(outputPath).size * 8) / 1000 / (await probeDurationSeconds(outputPath));
    assert.ok(Math.abs(kbps - 400) / 400 < 0.25, `${kbps.toFixed(0)} kbit/s`);
  });

  it('drops audio, or converts it to AAC or PCM', async () => {
    const codecs = async (name: string, audio: TranscodeOptions['audio'], container: TranscodeOptions['container']) =>
      (await transcode(name, { videoCodec: 'h264', audio, container })).streams.map((s) => s.codec_name);
    assert.deepEqual(await codecs('drop.mp4', { mode: 'drop' }, 'mp4'), ['h264']);
    assert.deepEqual(await codecs('aac.mp4', { mode: 'aac', bitrateKbps: 64 }, 'mp4'), ['h264', 'aac']);
    assert.deepEqual(await codecs('pcm.mkv', { mode: 'pcm' }, 'mkv'), ['h264', 'pcm_s16le']);
    assert.deepEqual(await codecs('copy.ts', { mode: 'copy' }, 'ts'), ['h264', 'aac']);
  });

  it('writes Matroska, MPEG-TS, and WMV2 + WMA in AVI that ffmpeg decodes cleanly', async () => {
    const cases: Array<[string, TranscodeOptions, string[]]> = [
      ['out.mkv', { videoCodec: 'h265', audio: { mode: 'aac' }, container: 'mkv' }, ['hevc', 'aac']],
      ['out.ts', { videoCodec: 'mpeg4', audio: { mode: 'aac' }, container: 'ts' }, ['mpeg4', 'aac']],
      ['out.avi', { videoCodec: 'wmv', audio: { mode: 'wma' }, container: 'avi' }, ['wmv2', 'wmav2']],
    ];
    for (const [name, options, expected] of cases) {
      const { outputPath, streams } = await transcode(name, options);
      assert.deepEqual(
        streams.map((s) => s.codec_name),
        expected,
        name,
      );
      assert.equal(await decodeErrors(outputPath), '', name);
      assert.ok(Math.abs((await probeDurationSeconds(outputPath)) - 4) < 0.1, name);
    }
  });

  it('kills the child on cancel, rejects with CANCELED and leaves no output', async () => {
    const long = join(dir, 'long.mp4');
    await makeTestClip(long, { seconds: 20, outputArgs: FMP4 });
    const outputPath = join(dir, 'canceled.mp4');
    const controller = new AbortController();
    let pid: number | undefined;
    const running = runTranscode(
      {
        input: { bytes: createReadStream(long), durationS: 20 },
        outputPath,
        options: { videoCodec: 'h265', audio: { mode: 'aac' }, container: 'mp4' },
        signal: controller.signal,
        onProgress: (p) => {
          if (p.doneS > 0) controller.abort();
        },
      },
      { onChild: (childPid) => (pid = childPid) },
    );
    await assert.rejects(running, (err) => isVigilError(err, 'CANCELED'));
    assert.ok(pid !== undefined);
    assert.throws(() => process.kill(pid as number, 0), { code: 'ESRCH' }, 'the child is gone');
    assert.equal(existsSync(outputPath), false);
  });

  it('fails with the engine message, cleaned of paths, and removes the partial file', async () => {
    const broken = join(dir, 'broken.mp4');
    writeFileSync(broken, Buffer.alloc(4096, 7));
    const outputPath = join(dir, 'broken-out.mp4');
    await assert.rejects(
      runTranscode({
        input: { path: broken },
        outputPath,
        options: { videoCodec: 'h264', audio: { mode: 'drop' }, container: 'mp4' },
      }),
      (err) =>
        isVigilError(err, 'MEDIA_INVALID') && !err.message.includes(dir) && err.message.startsWith('transcode: '),
    );
    assert.equal(existsSync(outputPath), false);
  });

  it('uses the CPU encoder when no hardware device is there', async () => {
    const { result, progress } = await transcode(
      'hw.mp4',
      {
        videoCodec: 'h264',
        audio: { mode: 'drop' },
        container: 'mp4',
        hardware: true,
      },
      fragmented,
    );
    // This machine has no NVENC/QSV device: nothing is tried, so nothing is retried.
    assert.equal(result.videoEncoder, 'libx264');
    assert.ok(progress.every((p) => p.step === 'encoding'));
  });
});
