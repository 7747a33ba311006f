import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWriter } from './byte-writer.js';
import { writeMfhd, writeTfdt, writeTfhd, writeTrun } from './boxes/fragment.js';
import { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC } from './flags.js';
import { fourcc } from './fourcc.js';
import { buildFragment, readFragment } from './fragment.js';
import { visitFragment } from './fragment-visit.js';
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
});
