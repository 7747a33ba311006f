import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeRanges } from './ranges.js';

const S = 1_000_000;
const seg = (fromS: number, toS: number): { startUs: number; endUs: number } => ({
  startUs: fromS * S,
  endUs: toS * S,
});

const cases = [
  { name: 'nothing recorded', segments: [], want: [] },
  { name: 'one segment', segments: [seg(0, 60)], want: [[0, 60]] },
  { name: 'back-to-back segments merge', segments: [seg(0, 60), seg(60, 120)], want: [[0, 120]] },
  { name: 'a 1 s gap is tolerated', segments: [seg(0, 60), seg(61, 120)], want: [[0, 120]] },
  { name: 'exactly the tolerance is tolerated', segments: [seg(0, 60), seg(61.5, 120)], want: [[0, 120]] },
  {
    name: 'a 2 s gap splits',
    segments: [seg(0, 60), seg(62, 120)],
    want: [
      [0, 60],
      [62, 58],
    ],
  },
  { name: 'overlaps (main restarted) merge', segments: [seg(0, 60), seg(30, 50), seg(55, 90)], want: [[0, 90]] },
  { name: 'empty (just opened) segments are ignored', segments: [seg(0, 60), seg(200, 200)], want: [[0, 60]] },
] as const;

describe('computeRanges', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        computeRanges(c.segments).map((r) => [r.fromUs / S, r.durationUs / S]),
        c.want,
      );
    });
  }
  it('uses the tolerance it is given', () => {
    assert.equal(computeRanges([seg(0, 60), seg(65, 120)], 10 * S).length, 1);
    assert.equal(computeRanges([seg(0, 60), seg(60.5, 120)], 0).length, 2);
  });
});
