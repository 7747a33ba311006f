/**
 * Exact start on B-frame video at a segment boundary: the frames decoded last
 * in a segment are shown after the next segment's first decode time, so a
 * `from` in a segment's last frames must read the segment before the cut.
 * Judged by Debian's ffmpeg (decoded frame hashes against the source clip).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Archive, readSlice } from '../archive/index.js';
import { createMediaEngine } from '../media/index.js';
import { importFiles } from '../record/import.js';
import { frameMd5, makeTestClip, probeStreams } from '../../test/helpers/media-check.js';
import { buildFragmentedMp4 } from './fragmented-mp4.js';
import { planExport } from './plan-export.js';
import { buildProgressiveMp4 } from './progressive-mp4.js';
import type { ExportRequest, VirtualFileLayout } from './types.js';

const S = 1_000_000;
const FRAME_US = 40_000;
const T0 = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const meta = { title: 'B-frames', timeZone: 'UTC' };
const reader = {
  source: 'disk' as const,
  read(): AsyncIterable<Uint8Array> {
    throw new Error('not read in this test');
  },
};

let dir: string;
let archive: Archive;
let clip: string;
/** Decode start of the second segment: the first segment's last two frames are shown at and after it. */
let cutUs: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-export-bframes-'));
  archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  clip = join(dir, 'bframes.mp4');
  await makeTestClip(clip, { seconds: 10, audioRate: null, outputArgs: ['-bf', '2'] });
  await importFiles({
    archive,
    engine: createMediaEngine(),
    stream: 'bf',
    startUs: T0,
    files: [clip],
    segmentDurationUs: 4 * S,
  });
  const segments = await archive.segmentsInRange('bf', 'main', T0, T0 + 10 * S);
  assert.ok(segments.length >= 2, 'the clip spans several segments');
  cutUs = segments[1]!.startUs;
  // The second part of a recording after a 0.5 s break, to check frames from before a break are never shown first.
  await importFiles({
    archive,
    engine: createMediaEngine(),
    stream: 'break',
    startUs: T0,
    files: [clip],
    segmentDurationUs: 20 * S,
  });
  await importFiles({
    archive,
    engine: createMediaEngine(),
    stream: 'break',
    startUs: T0 + 10.5 * S,
    files: [clip],
    segmentDurationUs: 20 * S,
  });
});

after(async () => {
  await archive?.close();
  await rm(dir, { recursive: true, force: true });
});

function req(stream: string, fromUs: number, durationS: number): ExportRequest {
  return { stream, variant: 'main', fromUs, toUs: fromUs + durationS * S, gaps: 'collapse' };
}

async function writeLayout(layout: VirtualFileLayout, name: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  for (const p of layout.parts) {
    chunks.push(p.kind === 'bytes' ? p.data : await readSlice(p.file.root, p.file.path, p.offset, p.length));
  }
  const path = join(dir, name);
  await writeFile(path, Buffer.concat(chunks));
  return path;
}

describe('exact start on B-frame video near a segment end', () => {
  it('the clip has B-frames and the cut is not on a shown frame of the next segment', async () => {
    const [video] = await probeStreams(clip);
    assert.equal(video?.codec_type, 'video');
    const { selection } = await planExport({ archive, reader }, req('bf', cutUs, 1), 'mp4', meta);
    assert.ok(
      selection.tracks[0]!.compositionOffsetTicks.some((c) => c > 0),
      'composition offsets (B-frames)',
    );
  });

  // The last three frames shown from the first segment, the next segment's first shown frame, and one after.
  for (const frames of [-1, 0, 1, 2, 3]) {
    it(`from ${frames} frame(s) after the next segment's first decode time: the frame at \`from\` first`, async () => {
      const fromUs = cutUs + frames * FRAME_US;
      const index = Math.round((fromUs - T0) / FRAME_US);
      const expected = await frameMd5(clip, { index });
      const { selection } = await planExport({ archive, reader }, req('bf', fromUs, 2), 'mp4', meta);
      const mp4 = await writeLayout(buildProgressiveMp4(selection, meta), `from-${frames}.mp4`);
      assert.equal(await frameMd5(mp4, { atSeconds: 0 }), expected, `mp4 from frame ${index}`);
      const fmp4 = await writeLayout(buildFragmentedMp4(selection, meta), `from-${frames}.fmp4.mp4`);
      assert.equal(await frameMd5(fmp4, { atSeconds: 0 }), expected, `fmp4 from frame ${index}`);
    });
  }

  it('from where the part after a break is decoded from: its first frame, not one from before the break', async () => {
    const segments = await archive.segmentsInRange('break', 'main', T0 + 10 * S, T0 + 12 * S);
    const second = segments.find((s) => s.startUs > T0 + 10 * S)!;
    const { selection } = await planExport({ archive, reader }, req('break', second.startUs, 2), 'mp4', meta);
    assert.ok(selection.firstShownUs >= second.startUs, 'no frame from before the break');
    const mp4 = await writeLayout(buildProgressiveMp4(selection, meta), 'after-break.mp4');
    assert.equal(await frameMd5(mp4, { atSeconds: 0 }), await frameMd5(clip, { index: 0 }));
  });
});
