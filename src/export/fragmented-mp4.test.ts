import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFragment } from '../mp4/fragment.js';
import { readInitSegment } from '../mp4/init-segment.js';
import { scanBoxes } from '../mp4/scan.js';
import { buildFragmentedMp4 } from './fragmented-mp4.js';
import { selectSamples } from './select-samples.js';
import { boxAt, headerBytes, locate } from './testing/mp4-inspect.js';
import { FRAME_TICKS, request, syntheticInput, T0 } from './testing/synthetic-archive.js';
import type { ByteSource } from './types.js';

const S = 1_000_000;
const meta = { title: 'Gate', timeZone: 'UTC' };

describe('buildFragmentedMp4', () => {
  const input = syntheticInput([
    { id: 1, startUs: T0, frames: 100 },
    { id: 2, startUs: T0 + 10 * S, frames: 100 },
  ]);
  const selection = selectSamples(input, request(T0 + 2_520_000, T0 + 12 * S));
  const layout = buildFragmentedMp4(selection, meta);

  it('starts with an init segment carrying the tracks and an edit list for the pre-roll', () => {
    const init = headerBytes(layout);
    assert.equal(init.length, layout.initSizeBytes);
    assert.deepEqual(
      readInitSegment(init).map((t) => t.trackId),
      [1, 2],
    );
    assert.ok(boxAt(init, ['moov', 'trak', 'edts', 'elst']));
    assert.ok(boxAt(init, ['moov', 'udta']));
  });

  it('has one moof + mdat per source fragment, tiling the file, with tfdt on the output timeline', () => {
    // Source fragments of the range: [2 s, 4 s) of the first segment, [10 s, 12 s) of the second.
    assert.equal(layout.fragments.length, 2);
    let at = layout.initSizeBytes;
    const parts = new Map<number, ByteSource>();
    let offset = 0;
    for (const p of layout.parts) {
      parts.set(offset, p);
      offset += p.kind === 'bytes' ? p.data.length : p.length;
    }
    assert.equal(offset, layout.sizeBytes);
    const expectedTfdt = [0, 50 * FRAME_TICKS];
    layout.fragments.forEach((f, k) => {
      assert.equal(f.offset, at);
      at += f.sizeBytes;
      const header = parts.get(f.offset);
      assert.equal(header?.kind, 'bytes');
      const bytes = header!.kind === 'bytes' ? header!.data : new Uint8Array();
      assert.deepEqual(
        scanBoxes(bytes).map((b) => b.type),
        ['moof', 'mdat'],
      );
      const info = readFragment(bytes);
      assert.equal(info.sequenceNumber, k + 1);
      assert.equal(info.runs[0]!.baseMediaDecodeTime, expectedTfdt[k]);
      // The first video payload byte of the fragment is the sample's byte in its segment file.
      const firstSample = k === 0 ? 0 : 50;
      const { fileOffset } = locate(layout, f.offset + info.runs[0]!.dataOffset);
      assert.equal(fileOffset, selection.tracks[0]!.fileOffset[firstSample]);
    });
    assert.equal(at, layout.sizeBytes);
  });

  it('gives each fragment its wall-clock start, output duration and the piece it opens', () => {
    assert.deepEqual(
      layout.fragments.map((f) => [f.wallClockUs - T0, f.durationUs, f.startsPiece]),
      [
        [2_520_000, 1_480_000, false],
        [10 * S, 2 * S, true],
      ],
    );
  });
});

describe('buildFragmentedMp4 with gaps kept', () => {
  const input = syntheticInput([
    { id: 1, startUs: T0, frames: 100 },
    { id: 2, startUs: T0 + 10 * S, frames: 100 },
  ]);
  const collapsed = buildFragmentedMp4(selectSamples(input, request(T0 + 2_520_000, T0 + 12 * S)), meta);
  const selection = selectSamples(input, request(T0 + 2_520_000, T0 + 12 * S, 'keep'));
  const kept = buildFragmentedMp4(selection, meta);
  const fragmentAt = (layout: typeof kept, k: number): ReturnType<typeof readFragment> => {
    const offset = layout.fragments[k]!.offset;
    let at = 0;
    for (const p of layout.parts) {
      if (at === offset && p.kind === 'bytes') return readFragment(p.data);
      at += p.kind === 'bytes' ? p.data.length : p.length;
    }
    throw new Error(`no fragment header at ${offset}`);
  };

  it('moves the second piece of every track by the gap with tfdt', () => {
    // Piece 1 ends at 4 s, piece 2 starts at 10 s: 6 s of real time the collapsed file skips.
    const video = fragmentAt(kept, 1).runs[0]!;
    const audio = fragmentAt(kept, 1).runs[1]!;
    assert.equal(video.baseMediaDecodeTime, fragmentAt(collapsed, 1).runs[0]!.baseMediaDecodeTime + 6 * 90_000);
    const audioScale = selection.tracks[1]!.config.timescale;
    assert.equal(audio.baseMediaDecodeTime, fragmentAt(collapsed, 1).runs[1]!.baseMediaDecodeTime + 6 * audioScale);
    assert.equal(fragmentAt(kept, 0).runs[0]!.baseMediaDecodeTime, 0);
  });

  it('keeps the fragment list on the recorded pieces: wall-clock starts and media durations', () => {
    assert.deepEqual(
      kept.fragments.map((f) => [f.wallClockUs - T0, f.durationUs, f.startsPiece]),
      collapsed.fragments.map((f) => [f.wallClockUs - T0, f.durationUs, f.startsPiece]),
    );
  });
});
