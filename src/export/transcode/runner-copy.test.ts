/**
 * Stream copy, chapters and custom encoder arguments through the real child
 * process, judged by Debian's ffmpeg/ffprobe.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { isVigilError } from '../../errors.js';
import {
  decodeErrors,
  makeTestClip,
  probeDurationSeconds,
  probeStreams,
  videoPacketHashes,
} from '../../../test/helpers/media-check.js';
import { runTranscode } from './runner.js';
import type { TranscodeOptions } from './types.js';

const run = promisify(execFile);

async function probeChapters(path: string): Promise<Array<{ start: number; end: number; title: string }>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', path]);
  const { chapters } = JSON.parse(stdout) as {
    chapters: Array<{ start_time: string; end_time: string; tags?: { title?: string } }>;
  };
  return chapters.map((c) => ({ start: Number(c.start_time), end: Number(c.end_time), title: c.tags?.title ?? '' }));
}

describe('runTranscode: copy, chapters, custom arguments', () => {
  let dir: string;
  let clip: string;
  const out = (name: string) => join(dir, name);
  const transcode = (name: string, options: TranscodeOptions, path = clip) =>
    runTranscode({ input: { path }, outputPath: out(name), options });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-transcode-copy-'));
    clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 4 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the video packets into MKV byte for byte, converting the audio', async () => {
    const result = await transcode('copy.mkv', { videoCodec: 'copy', audio: { mode: 'pcm' }, container: 'mkv' });
    assert.equal(result.videoEncoder, 'copy');
    const source = await videoPacketHashes(clip);
    assert.equal(source.length, 100);
    assert.deepEqual(await videoPacketHashes(out('copy.mkv')), source);
    assert.deepEqual(
      (await probeStreams(out('copy.mkv'))).map((s) => s.codec_name),
      ['h264', 'pcm_s16le'],
    );
    assert.ok(Math.abs((await probeDurationSeconds(out('copy.mkv'))) - 4) <= 0.05);
    assert.equal(await decodeErrors(out('copy.mkv')), '');
  });

  it('writes chapters into MP4 and MKV, divided by a timelapse factor', async () => {
    const chapters = [
      { startUs: 0, title: 'Sat 10:00:00' },
      { startUs: 2_000_000, title: 'Alert: person' },
    ];
    await transcode('chapters.mp4', { videoCodec: 'h264', audio: { mode: 'aac' }, container: 'mp4', chapters });
    assert.deepEqual(await probeChapters(out('chapters.mp4')), [
      { start: 0, end: 2, title: 'Sat 10:00:00' },
      { start: 2, end: 4, title: 'Alert: person' },
    ]);
    assert.equal(await decodeErrors(out('chapters.mp4')), '');
    assert.ok(!existsSync(`${out('chapters.mp4')}.chapters`));

    await transcode('chapters.mkv', { videoCodec: 'copy', audio: { mode: 'copy' }, container: 'mkv', chapters });
    const mkv = await probeChapters(out('chapters.mkv'));
    assert.deepEqual(
      mkv.map((c) => [c.start, c.title]),
      [
        [0, 'Sat 10:00:00'],
        [2, 'Alert: person'],
      ],
    );
    assert.equal(await decodeErrors(out('chapters.mkv')), '');

    await transcode('lapse.mp4', {
      videoCodec: 'h264',
      audio: { mode: 'drop' },
      container: 'mp4',
      chapters,
      timelapse: 2,
    });
    assert.deepEqual(
      (await probeChapters(out('lapse.mp4'))).map((c) => c.start),
      [0, 1],
    );
  });

  it('applies custom encoder arguments: a higher CRF makes a smaller file', async () => {
    const crf = async (value: string) => {
      const name = `crf${value}.mp4`;
      await transcode(name, {
        videoCodec: 'h264',
        audio: { mode: 'drop' },
        container: 'mp4',
        customArgs: [
          { option: '-crf', value },
          { option: '-preset', value: 'ultrafast' },
        ],
      });
      return statSync(out(name)).size;
    };
    const [sharp, small] = [await crf('18'), await crf('30')];
    assert.ok(small < sharp * 0.8, `crf 30: ${small} bytes, crf 18: ${sharp}`);
  });

  it('names the custom argument the encoder refuses, and leaves no file', async () => {
    for (const [arg, pattern] of [
      [{ option: '-crff', value: '30' }, /"-crff 30": the libx264 encoder refuses it \(Option not found\)/],
      [{ option: '-preset', value: 'warp' }, /"-preset warp": the libx264 encoder refuses it/],
    ] as const) {
      await assert.rejects(
        transcode('refused.mp4', { videoCodec: 'h264', audio: { mode: 'drop' }, container: 'mp4', customArgs: [arg] }),
        (err: unknown) =>
          isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'options.customArgs' && pattern.test(err.message),
      );
      assert.ok(!existsSync(out('refused.mp4')));
    }
  });

  it('refuses a copy into AVI before starting a child', async () => {
    await assert.rejects(
      transcode('copy.avi', { videoCodec: 'copy', audio: { mode: 'copy' }, container: 'avi' }),
      (err: unknown) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'options.videoCodec',
    );
  });
});
