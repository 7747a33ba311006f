import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWriter } from './byte-writer.js';
import { writeMfhd, writeTfdt, writeTfhd, writeTrun } from './boxes/fragment.js';
import { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC } from './flags.js';
import { fourcc } from './fourcc.js';
import { buildFragment, readFragment } from './fragment.js';
import { visitFragment, visitFragmentColumns } from './fragment-visit.js';
import type { FragmentInfo, TrackDefaults } from './types.js';

/** What visitFragment reports, in readFragment's shape. */
function visited(moof: Uint8Array, trex: TrackDefaults[] = [], skip = new Set<number>()): FragmentInfo['runs'] {
  const runs: FragmentInfo['runs'] = [];
  visitFragment(
    moof,
    {
      run(trackId, baseMediaDecodeTime, dataOffset) {
        runs.push({ trackId, baseMediaDecodeTime, dataOffset, samples: [] });
        return !skip.has(trackId);
      },
      sample(durationTicks, sizeBytes, isSync, compositionOffsetTicks) {
        runs[runs.length - 1]!.samples.push({ durationTicks, sizeBytes, isSync, compositionOffsetTicks });
      },
    },
    trex,
  );
  return runs;
}

/** What visitFragmentColumns writes, in readFragment's shape (each run into columns of its own). */
function visitedColumns(moof: Uint8Array, trex: TrackDefaults[] = [], skip = new Set<number>()): FragmentInfo['runs'] {
  const runs: FragmentInfo['runs'] = [];
  const columns: Array<{
    at: number;
    durationTicks: Uint32Array;
    sizeBytes: Uint32Array;
    compositionOffsetTicks: Int32Array;
    isSync: Uint8Array;
  }> = [];
  visitFragmentColumns(
    moof,
    {
      run(trackId, baseMediaDecodeTime, dataOffset, sampleCount) {
        runs.push({ trackId, baseMediaDecodeTime, dataOffset, samples: [] });
        // Row 2 onwards, to check that `at` is honoured.
        const c = {
          at: 2,
          durationTicks: new Uint32Array(sampleCount + 2),
          sizeBytes: new Uint32Array(sampleCount + 2),
          compositionOffsetTicks: new Int32Array(sampleCount + 2),
          isSync: new Uint8Array(sampleCount + 2),
        };
        columns.push(c);
        return skip.has(trackId) ? undefined : c;
      },
    },
    trex,
  );
  runs.forEach((run, r) => {
    const c = columns[r]!;
    if (skip.has(run.trackId)) return;
    for (let i = c.at; i < c.sizeBytes.length; i++) {
      run.samples.push({
        durationTicks: c.durationTicks[i]!,
        sizeBytes: c.sizeBytes[i]!,
        isSync: c.isSync[i] === 1,
        compositionOffsetTicks: c.compositionOffsetTicks[i]!,
      });
    }
  });
  return runs;
}

test('agrees with readFragment on the recorder’s fragments, B-frame offsets included', () => {
  const video = [0, 7200, -3600, 0].map((cto, i) => ({
    durationTicks: 3600,
    sizeBytes: 100 + i,
    isSync: i === 0,
    compositionOffsetTicks: cto,
  }));
  const audio = [{ durationTicks: 1024, sizeBytes: 9, isSync: true, compositionOffsetTicks: 0 }];
  const { moof } = buildFragment(3, [
    {
      trackId: 1,
      baseMediaDecodeTime: 2 ** 40,
      samples: video,
      payloads: video.map((s) => new Uint8Array(s.sizeBytes)),
    },
    { trackId: 2, baseMediaDecodeTime: 48_000, samples: audio, payloads: [new Uint8Array(9)] },
  ]);
  assert.deepEqual(visited(moof), readFragment(moof).runs);
  assert.deepEqual(visitedColumns(moof), readFragment(moof).runs);
  assert.deepEqual(visitedColumns(moof, [], new Set([1])), visited(moof, [], new Set([1])));
  assert.deepEqual(
    visited(moof, [], new Set([1])).map((r) => r.samples.length),
    [0, 1],
  );
});

test('agrees with readFragment where tfhd, trex and first-sample flags supply the fields', () => {
  const w = new ByteWriter(256);
  w.box(fourcc.moof, () => {
    writeMfhd(w, 1);
    w.box(fourcc.traf, () => {
      writeTfhd(w, { trackId: 1, defaultSampleDuration: 3000, defaultSampleFlags: SAMPLE_FLAGS_NON_SYNC });
      writeTfdt(w, 5);
      writeTrun(w, {
        version: 0,
        dataOffset: 120,
        firstSampleFlags: SAMPLE_FLAGS_SYNC,
        samples: [{ sampleSize: 10 }, { sampleSize: 20 }, { sampleSize: 30 }],
      });
    });
    w.box(fourcc.traf, () => {
      writeTfhd(w, { trackId: 2 });
      writeTfdt(w, 7);
      writeTrun(w, { version: 0, samples: [{ sampleDuration: 1024 }, { sampleDuration: 1024 }] });
    });
  });
  const moof = w.finish();
  const trex: TrackDefaults[] = [
    {
      trackId: 2,
      defaultSampleDescriptionIndex: 1,
      defaultSampleDuration: 0,
      defaultSampleSize: 4,
      defaultSampleFlags: 0,
    },
  ];
  assert.deepEqual(visited(moof, trex), readFragment(moof, trex).runs);
  assert.deepEqual(visitedColumns(moof, trex), readFragment(moof, trex).runs);
  assert.deepEqual(visitedColumns(moof, trex, new Set([1])), visited(moof, trex, new Set([1])));
});
