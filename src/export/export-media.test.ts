/**
 * Exports of real media (imported from clips made by Debian's ffmpeg), judged
 * by Debian's ffprobe/ffmpeg: duration, first shown frame, A/V start, clean
 * decode, chapters and title.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Archive, readSlice } from '../archive/index.js';
import { isVigilError } from '../errors.js';
import { createMediaEngine } from '../media/index.js';
import { importFiles } from '../record/import.js';
import {
  decodeErrors,
  frameMd5,
  makeTestClip,
  probeDurationSeconds,
  probeStreams,
} from '../../test/helpers/media-check.js';
import { buildFragmentedMp4 } from './fragmented-mp4.js';
import { planExport } from './plan-export.js';
import { buildProgressiveMp4 } from './progressive-mp4.js';
import { selectSamples } from './select-samples.js';
import type { ExportRequest, SampleSelection, VirtualFileLayout } from './types.js';

const run = promisify(execFile);
const S = 1_000_000;
const FRAME_S = 0.04;
const T0 = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const meta = { title: 'Gate camera', timeZone: 'Europe/Berlin' };

let dir: string;
let archive: Archive;
let clip: string;

async function importAt(stream: string, startUs: number, files: string[]): Promise<void> {
  await importFiles({ archive, engine: createMediaEngine(), stream, startUs, files, segmentDurationUs: 4 * S });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-export-'));
  archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  clip = join(dir, 'clip.mp4');
  const short = join(dir, 'short.mp4');
  const large = join(dir, 'large.mp4');
  await makeTestClip(clip, { seconds: 20 });
  await makeTestClip(short, { seconds: 5 });
  await makeTestClip(large, { seconds: 5, size: '640x480' });
  await importAt('cam', T0, [clip]);
  await importAt('gap', T0, [clip]);
  await importAt('gap', T0 + 30 * S, [short]);
  await importAt('change', T0, [short, large]);
  // The same short clip with its audio starting 0.5 s after its video.
  const lateAudio = join(dir, 'late-audio.mp4');
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-i', short, '-itsoffset', '0.5', '-i', short],
    ...['-map', '0:v', '-map', '1:a', '-c', 'copy', lateAudio],
  ]);
  await importAt('late-audio', T0, [lateAudio]);
  // Two recorded pieces with a 5 s gap: [0, 5) and [10, 15).
  await importAt('gap5', T0, [short]);
  await importAt('gap5', T0 + 10 * S, [short]);
});

after(async () => {
  await archive?.close();
  await rm(dir, { recursive: true, force: true });
});

function req(stream: string, fromS: number, durationS: number, gaps: 'collapse' | 'keep' = 'collapse'): ExportRequest {
  return { stream, variant: 'main', fromUs: T0 + fromS * S, toUs: T0 + (fromS + durationS) * S, gaps };
}

async function select(request: ExportRequest): Promise<SampleSelection> {
  const segments = await archive.segmentsInRange(request.stream, 'main', request.fromUs, request.toUs);
  return selectSamples({ segments, fragments: await archive.fragmentsOf(segments.map((s) => s.id)) }, request);
}

/** The layout's bytes as one file, read from the segment files (what any byte-range reader serves). */
async function writeLayout(layout: VirtualFileLayout, name: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  for (const p of layout.parts) {
    chunks.push(p.kind === 'bytes' ? p.data : await readSlice(p.file.root, p.file.path, p.offset, p.length));
  }
  const path = join(dir, name);
  await writeFile(path, Buffer.concat(chunks));
  return path;
}

async function ffprobeJson(path: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', ...args, path]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('progressive MP4 of real media', () => {
  it('from mid-GOP across a segment boundary: exact first frame, duration, A/V start, clean decode', async () => {
    const selection = await select(req('cam', 5.52, 8));
    assert.ok(selection.files.length >= 2, 'the range crosses a segment boundary');
    const path = await writeLayout(buildProgressiveMp4(selection, meta), 'mid-gop.mp4');
    assert.ok(
      Math.abs((await probeDurationSeconds(path)) - 8) <= FRAME_S,
      `duration ${await probeDurationSeconds(path)}`,
    );
    assert.equal(await frameMd5(path, { atSeconds: 0 }), await frameMd5(clip, { index: Math.round(5.52 / FRAME_S) }));
    const [video, audio] = await probeStreams(path);
    assert.equal(video?.codec_type, 'video');
    assert.equal(audio?.codec_type, 'audio');
    assert.ok(Math.abs(Number(video!.start_time) - Number(audio!.start_time)) <= 0.025);
    assert.equal(await decodeErrors(path), '');
  });

  it('shows the title, the wall-clock start and one chapter in the time zone', async () => {
    const path = await writeLayout(buildProgressiveMp4(await select(req('cam', 3, 4)), meta), 'meta.mp4');
    const probed = await ffprobeJson(path, '-show_chapters', '-show_format');
    const tags = (probed.format as { tags: Record<string, string> }).tags;
    assert.equal(tags.title, 'Gate camera');
    assert.equal(tags.date, '2026-01-31T12:00:03.000Z');
    assert.equal(tags.creation_time, '2026-01-31T12:00:03.000000Z');
    const chapters = probed.chapters as Array<{ start_time: string; tags: { title: string } }>;
    assert.deepEqual(
      chapters.map((c) => [Number(c.start_time), c.tags.title]),
      [[0, '2026-01-31 13:00:03']],
    );
  });

  it('across a gap: two chapters and the collapsed duration; gaps=keep gives real time', async () => {
    const collapsed = await writeLayout(buildProgressiveMp4(await select(req('gap', 15, 18)), meta), 'gap.mp4');
    assert.ok(
      Math.abs((await probeDurationSeconds(collapsed)) - 8) <= FRAME_S,
      `collapsed ${await probeDurationSeconds(collapsed)}`,
    );
    const chapters = (await ffprobeJson(collapsed, '-show_chapters')).chapters as Array<{
      start_time: string;
      tags: { title: string };
    }>;
    assert.deepEqual(
      chapters.map((c) => c.tags.title),
      ['2026-01-31 13:00:15', '2026-01-31 13:00:30'],
    );
    assert.ok(Math.abs(Number(chapters[1]!.start_time) - 5) <= FRAME_S);
    assert.equal(await decodeErrors(collapsed), '');

    const kept = await writeLayout(buildProgressiveMp4(await select(req('gap', 15, 18, 'keep')), meta), 'keep.mp4');
    assert.ok(Math.abs((await probeDurationSeconds(kept)) - 18) <= FRAME_S, `kept ${await probeDurationSeconds(kept)}`);
    assert.equal(await decodeErrors(kept), '');
  });
});

describe('fragmented MP4 of real media', () => {
  it('plays: duration, clean decode, the frame at `from` presented at 0', async () => {
    const path = await writeLayout(buildFragmentedMp4(await select(req('cam', 5.52, 8)), meta), 'out.fmp4.mp4');
    // ffmpeg applies an fMP4 edit list as a time offset: the pre-roll sits before 0.
    const [video] = await probeStreams(path);
    const end = Number(video!.start_time) + Number(video!.duration);
    assert.ok(Math.abs(end - 8) <= FRAME_S, `video ends at ${end}`);
    assert.equal(await frameMd5(path, { atSeconds: 0 }), await frameMd5(clip, { index: Math.round(5.52 / FRAME_S) }));
    assert.equal(await decodeErrors(path), '');
  });
});

/** Start times ffprobe reads for the video and the audio stream. */
async function startTimes(path: string): Promise<{ video: number; audio: number }> {
  const [video, audio] = await probeStreams(path);
  assert.equal(audio?.codec_type, 'audio');
  return { video: Number(video!.start_time), audio: Number(audio.start_time) };
}

/** What ffmpeg reports at warning level while decoding the whole file (empty when clean). */
async function decodeWarnings(path: string): Promise<string> {
  const { stdout, stderr } = await run('ffmpeg', ['-v', 'warning', '-i', path, '-f', 'null', '-']);
  return (stdout + stderr).trim();
}

describe('audio that starts after the video', () => {
  it('keeps its delay: an empty edit in MP4, a later tfdt in fMP4', async () => {
    const selection = await select(req('late-audio', 0, 4));
    const mp4 = await writeLayout(buildProgressiveMp4(selection, meta), 'late-audio.mp4');
    const fmp4 = await writeLayout(buildFragmentedMp4(selection, meta), 'late-audio.fmp4.mp4');
    for (const path of [mp4, fmp4]) {
      const { video, audio } = await startTimes(path);
      assert.ok(Math.abs(video) <= 0.001, `${path}: video starts at ${video}`);
      assert.ok(Math.abs(audio - 0.5) <= 0.025, `${path}: audio starts at ${audio}`);
      assert.equal(await decodeWarnings(path), '');
    }
    assert.ok(Math.abs((await probeDurationSeconds(mp4)) - 4) <= FRAME_S, `mp4 ${await probeDurationSeconds(mp4)}`);
  });

  it('from after the audio began: audio and video start together', async () => {
    const path = await writeLayout(buildProgressiveMp4(await select(req('late-audio', 1, 3)), meta), 'late-1.mp4');
    const { video, audio } = await startTimes(path);
    assert.ok(Math.abs(video - audio) <= 0.025, `video ${video}, audio ${audio}`);
  });
});

describe('fragmented MP4 with gaps=keep', () => {
  it('keeps the gap on the timeline: tfdt jumps over it, the second piece starts at its real-time place', async () => {
    // [2, 5) recorded, [5, 10) a gap, [10, 13) recorded.
    const path = await writeLayout(buildFragmentedMp4(await select(req('gap5', 2, 11, 'keep')), meta), 'keep.fmp4.mp4');
    const [video] = await probeStreams(path);
    const end = Number(video!.start_time) + Number(video!.duration);
    assert.ok(Math.abs(end - 11) <= FRAME_S, `video ends at ${end}`);
    const frames = (await ffprobeJson(path, '-select_streams', 'v', '-show_entries', 'frame=pts_time', '-show_frames'))
      .frames as Array<{ pts_time: string }>;
    const times = frames.map((f) => Number(f.pts_time));
    const secondPiece = times.find((t) => t > 3.5);
    assert.ok(secondPiece !== undefined && Math.abs(secondPiece - 8) <= 0.001, `second piece at ${secondPiece}`);
    assert.equal(times.filter((t) => t > 3 + FRAME_S / 2 && t < 8 - FRAME_S / 2).length, 0, 'no frame in the gap');
    assert.equal(await frameMd5(path, { atSeconds: 8 }), await frameMd5(join(dir, 'short.mp4'), { index: 0 }));
    assert.equal(await decodeWarnings(path), '');
  });

  it('collapsed, the same range is the two pieces back to back', async () => {
    const path = await writeLayout(buildFragmentedMp4(await select(req('gap5', 2, 11)), meta), 'collapse.fmp4.mp4');
    const [video] = await probeStreams(path);
    const end = Number(video!.start_time) + Number(video!.duration);
    assert.ok(Math.abs(end - 6) <= FRAME_S, `video ends at ${end}`);
  });
});

describe('planExport', () => {
  const reader = {
    source: 'disk' as const,
    read(): AsyncIterable<Uint8Array> {
      throw new Error('not read in this test');
    },
  };

  it('a resolution change inside the range is CODEC_CHANGED naming where to split', async () => {
    await assert.rejects(
      planExport({ archive, reader }, req('change', 2, 6), 'mp4', meta),
      (e) =>
        isVigilError(e, 'CODEC_CHANGED') && /2026-01-31T12:00:0[45]/.test(e.message) && e.message.includes('640x480'),
    );
  });

  it('gives the same size and ETag for the same past range, another ETag for another container', async () => {
    const a = await planExport({ archive, reader }, req('cam', 2, 5), 'mp4', meta);
    const b = await planExport({ archive, reader }, req('cam', 2, 5), 'mp4', meta);
    const c = await planExport({ archive, reader }, req('cam', 2, 5), 'fmp4', meta);
    assert.equal(a.file.sizeBytes, b.file.sizeBytes);
    assert.equal(a.etag, b.etag);
    assert.notEqual(a.etag, c.etag);
  });
});
