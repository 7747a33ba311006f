import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makeTestClip, probeDurationSeconds, probeStreams } from '../../../test/helpers/media-check.js';
import { runTranscode } from './runner.js';
import type { TranscodeOptions } from './types.js';

const run = promisify(execFile);
const W = 320;
const H = 240;

/** A still clip, white on the left half and black on the right: flips and text show up as plain luma. */
async function makeHalvesClip(path: string, seconds: number): Promise<void> {
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=black:s=${W}x${H}:r=25:d=${seconds}`],
    ...['-vf', `drawbox=x=0:y=0:w=${W / 2}:h=${H}:color=white:t=fill`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25', path],
  ]);
}

interface GrayFrame {
  width: number;
  height: number;
  data: Buffer;
}

/** The luma of the first frame at or after `atSeconds`, decoded by Debian's ffmpeg. */
async function grayFrame(path: string, atSeconds: number): Promise<GrayFrame> {
  const [video] = await probeStreams(path);
  const width = video?.width ?? 0;
  const height = video?.height ?? 0;
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      path,
      '-vf',
      `select=gte(t\\,${atSeconds})`,
      '-frames:v',
      '1',
      '-pix_fmt',
      'gray',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 16 << 20 },
  );
  return { width, height, data: stdout };
}

/** Mean luma of a rectangle. */
function meanLuma(f: GrayFrame, x: number, y: number, w: number, h: number): number {
  let sum = 0;
  for (let row = y; row < y + h; row++) for (let col = x; col < x + w; col++) sum += f.data[row * f.width + col] ?? 0;
  return sum / (w * h);
}

/** Mean absolute luma difference of the same rectangle in two frames of one size. */
function regionDiff(a: GrayFrame, b: GrayFrame, x: number, y: number, w: number, h: number): number {
  let sum = 0;
  for (let row = y; row < y + h; row++) {
    for (let col = x; col < x + w; col++)
      sum += Math.abs((a.data[row * a.width + col] ?? 0) - (b.data[row * b.width + col] ?? 0));
  }
  return sum / (w * h);
}

describe('runTranscode pictures', () => {
  let dir: string;
  let halves: string;
  const base: TranscodeOptions = { videoCodec: 'h264', audio: { mode: 'drop' }, container: 'mp4' };
  const transcode = async (name: string, options: Partial<TranscodeOptions>, inputPath = halves) => {
    const outputPath = join(dir, name);
    await runTranscode({ input: { path: inputPath }, outputPath, options: { ...base, ...options } });
    return outputPath;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-transcode-pic-'));
    halves = join(dir, 'halves.mp4');
    await makeHalvesClip(halves, 2);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('mirrors the picture with flip h', async () => {
    const plain = await grayFrame(await transcode('plain.mp4', {}), 0.5);
    const flipped = await grayFrame(await transcode('flipped.mp4', { flip: 'h' }), 0.5);
    assert.ok(meanLuma(plain, 20, 20, 100, 200) > 200 && meanLuma(plain, 200, 20, 100, 200) < 40);
    assert.ok(meanLuma(flipped, 20, 20, 100, 200) < 40, 'the left half is now dark');
    assert.ok(meanLuma(flipped, 200, 20, 100, 200) > 200, 'the right half is now bright');
  });

  it('turns the picture a quarter clockwise with rotate 90', async () => {
    const turned = await grayFrame(await transcode('turned.mp4', { rotate: 90 }), 0.5);
    assert.deepEqual([turned.width, turned.height], [H, W]);
    assert.ok(meanLuma(turned, 20, 20, 200, 100) > 200, 'the white left half is on top');
    assert.ok(meanLuma(turned, 20, 200, 200, 100) < 40);
  });

  it('draws the channel name top-left and nothing elsewhere', async () => {
    const plain = await grayFrame(await transcode('plain-2.mp4', {}), 0.5);
    const marked = await grayFrame(await transcode('named.mp4', { channelNameWatermark: 'Gate: 1, north' }), 0.5);
    assert.ok(regionDiff(plain, marked, 0, 0, 120, 24) > 20, 'the text region changed');
    assert.ok(regionDiff(plain, marked, 0, 120, W, 120) < 2, 'the lower half did not');
  });

  it('shows each frame its own wall-clock time, bottom-right', async () => {
    const output = await transcode('clock.mp4', {
      timestampWatermark: {
        timeZone: 'Asia/Tokyo',
        pieces: [{ outputStartS: 0, utcStartMs: Date.UTC(2026, 0, 1, 0, 0, 0, 500) }],
      },
      watermarkAlign: 4,
    });
    const early = await grayFrame(output, 0.2);
    const late = await grayFrame(output, 1.2);
    // A still picture: only the seconds digits, bottom-right, change between the two.
    assert.ok(regionDiff(early, late, W - 40, H - 30, 40, 30) > 5, 'the seconds moved on');
    assert.ok(regionDiff(early, late, 0, 0, W, H / 2) < 2);
  });

  it('makes a timelapse of input / factor, ±1 frame, without audio', async () => {
    const input = join(dir, 'ten-seconds.mp4');
    await makeTestClip(input, { seconds: 10, gop: 5 });
    const output = await transcode('timelapse.mp4', { timelapse: 5, audio: { mode: 'aac' } }, input);
    const streams = await probeStreams(output);
    assert.deepEqual(
      streams.map((s) => s.codec_type),
      ['video'],
    );
    assert.ok(Math.abs((await probeDurationSeconds(output)) - 2) <= 0.04 + 1e-6, 'duration 10 s / 5');
  });
});
