import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Archive, readSlice } from '../archive/index.js';
import { buildProgressiveMp4 } from '../export/progressive-mp4.js';
import { selectSamples } from '../export/select-samples.js';
import type { ExportRequest, VirtualFileLayout } from '../export/types.js';
import { createMediaEngine } from '../media/index.js';
import {
  decodeErrors,
  frameMd5,
  makeTestClip,
  probeCodecs,
  probeDurationSeconds,
} from '../../test/helpers/media-check.js';
import { importFiles } from './import.js';

const run = promisify(execFile);
const FRAME_US = 40_000;
const S = 1_000_000;

test('a 10 s file imports as segments starting at the given UTC, 10 s long in all', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-import-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    const file = join(dir, 'in.mp4');
    await makeTestClip(file, { seconds: 10, gop: 50, audioRate: 8000 });
    const startUs = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
    const result = await importFiles({
      archive,
      engine: createMediaEngine(),
      stream: 'imported',
      startUs,
      files: [file],
      segmentDurationUs: 4_000_000,
    });
    assert.equal(result.segments.length, 3);
    assert.equal(result.segments[0]?.startUs, startUs);
    assert.ok(Math.abs(result.durationUs - 10_000_000) <= FRAME_US, `duration ${result.durationUs}`);
    const ranges = await archive.ranges('imported');
    assert.equal(ranges[0]?.fromUs, startUs);
    for (const segment of await archive.listAllSegments()) {
      const path = join(segment.root, segment.path);
      assert.deepEqual(await probeCodecs(path), ['h264', 'aac']);
      assert.equal(await decodeErrors(path), '');
    }
  } finally {
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** The layout's bytes as one file, read from the segment files. */
async function writeLayout(layout: VirtualFileLayout, path: string): Promise<void> {
  const chunks: Uint8Array[] = [];
  for (const p of layout.parts) {
    chunks.push(p.kind === 'bytes' ? p.data : await readSlice(p.file.root, p.file.path, p.offset, p.length));
  }
  await writeFile(path, Buffer.concat(chunks));
}

test('with B-frames the first shown frame lands at --start, and the next file starts where it ends', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-import-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    const file = join(dir, 'bframes.mp4');
    // x264's ultrafast preset has no B-frames; two make the first frame shown two frames after its decode time.
    await makeTestClip(file, { seconds: 6, gop: 50, outputArgs: ['-bf', '2'] });
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v',
      '-show_entries',
      'stream=has_b_frames',
      '-of',
      'csv=p=0',
      file,
    ]);
    assert.equal(stdout.trim(), '2', 'the clip has B-frames');
    const startUs = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
    const result = await importFiles({
      archive,
      engine: createMediaEngine(),
      stream: 'bframes',
      startUs,
      files: [file, file],
      segmentDurationUs: 4 * S,
    });
    // A segment starts at its first decode time, two frames before the first frame is shown.
    const segments = await archive.listAllSegments();
    assert.equal(segments[0]?.startUs, startUs - 2 * FRAME_US);
    assert.ok(Math.abs(result.durationUs - 12 * S) <= FRAME_US, `duration ${result.durationUs}`);
    // The second file's first segment continues the first file's decode timeline: no overlap, no hole.
    const second = segments.findIndex((s, i) => i > 0 && s.startUs >= startUs + 6 * S - 2 * FRAME_US);
    assert.equal(segments[second]?.startUs, segments[second - 1]?.endUs);

    const exportOf = async (fromS: number, durationS: number, name: string): Promise<string> => {
      const request: ExportRequest = {
        stream: 'bframes',
        variant: 'main',
        fromUs: startUs + fromS * S,
        toUs: startUs + (fromS + durationS) * S,
        gaps: 'collapse',
      };
      const rows = await archive.segmentsInRange('bframes', 'main', request.fromUs, request.toUs);
      const selection = selectSamples(
        { segments: rows, fragments: await archive.fragmentsOf(rows.map((r) => r.id)) },
        request,
      );
      assert.equal(selection.firstShownUs, request.fromUs, `${name}: the first frame is shown at from`);
      const path = join(dir, name);
      await writeLayout(buildProgressiveMp4(selection, { title: 'B', timeZone: 'UTC' }), path);
      return path;
    };
    const head = await exportOf(0, 2, 'head.mp4');
    for (const index of [0, 1, 2, 3]) {
      assert.equal(await frameMd5(head, { index }), await frameMd5(file, { index }), `frame ${index}`);
    }
    assert.ok(
      Math.abs((await probeDurationSeconds(head)) - 2) <= FRAME_US / S,
      `duration ${await probeDurationSeconds(head)}`,
    );
    assert.equal(await decodeErrors(head), '');
    // Across the join of the two files: the first file's last three frames, then the second's first.
    const across = await exportOf(5.88, 1, 'join.mp4');
    const expected = [147, 148, 149, 0];
    for (const [index, source] of expected.entries()) {
      assert.equal(await frameMd5(across, { index }), await frameMd5(file, { index: source }), `frame ${index}`);
    }
  } finally {
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
});
