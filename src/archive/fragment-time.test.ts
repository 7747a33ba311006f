import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FragmentInfo, SampleInfo } from '../mp4/types.js';
import { fragmentTimesUs, startsWithKeyframe } from './fragment-time.js';
import { audioTrack, videoTrack } from './testing/fixtures.js';

const samples = (n: number, durationTicks: number, firstSync = true): SampleInfo[] =>
  Array.from({ length: n }, (_, i) => ({
    durationTicks,
    sizeBytes: 10,
    isSync: i === 0 && firstSync,
    compositionOffsetTicks: 0,
  }));

function fragment(videoTfdt: number, audioTfdt: number, firstSync = true): FragmentInfo {
  return {
    sequenceNumber: 1,
    runs: [
      { trackId: 2, baseMediaDecodeTime: audioTfdt, samples: samples(50, 1024), dataOffset: 0 },
      { trackId: 1, baseMediaDecodeTime: videoTfdt, samples: samples(50, 3600, firstSync), dataOffset: 100 },
    ],
  };
}

const START = 1_700_000_000_000_000;

const cases = [
  {
    name: 'first fragment starts at the segment start',
    tracks: [videoTrack, audioTrack],
    frag: fragment(900_000, 0),
    first: 900_000,
    want: [0, 2_000_000],
  },
  {
    name: 'later fragment is offset by its tfdt',
    tracks: [videoTrack, audioTrack],
    frag: fragment(900_000 + 180_000, 0),
    first: 900_000,
    want: [2_000_000, 4_000_000],
  },
  {
    name: 'audio-only segment is timed by audio',
    tracks: [audioTrack],
    frag: fragment(0, 48_000),
    first: 0,
    want: [1_000_000, 1_000_000 + Math.round((50 * 1024 * 1e6) / 48_000)],
  },
] as const;

describe('fragmentTimesUs', () => {
  for (const c of cases) {
    it(c.name, () => {
      const t = fragmentTimesUs(START, c.first, c.frag, c.tracks);
      assert.deepEqual([t.startUs - START, t.endUs - START], c.want);
    });
  }
  it('names the missing track when a fragment has no samples of it', () => {
    assert.throws(() => fragmentTimesUs(START, 0, { sequenceNumber: 7, runs: [] }, [videoTrack]), /fragment 7/);
  });
  it('tells whether the fragment starts on a keyframe', () => {
    assert.equal(startsWithKeyframe(fragment(0, 0, true), [videoTrack, audioTrack]), true);
    assert.equal(startsWithKeyframe(fragment(0, 0, false), [videoTrack, audioTrack]), false);
    assert.equal(startsWithKeyframe(fragment(0, 0, false), [audioTrack]), true);
  });
});
