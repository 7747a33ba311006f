import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WallClock } from './wall-clock.js';

const T0 = 1_700_000_000_000_000;

test('the first packet anchors to the wall clock and later ones follow stream time', () => {
  const clock = new WallClock();
  assert.deepEqual(clock.place(0, 5_000_000, T0), { utcUs: T0, discontinuity: undefined });
  // Network jitter in arrival time does not move UTC: stream time decides.
  assert.deepEqual(clock.place(0, 5_040_000, T0 + 90_000), { utcUs: T0 + 40_000, discontinuity: undefined });
  assert.deepEqual(clock.place(1, 5_020_000, T0 + 90_000), { utcUs: T0 + 20_000, discontinuity: undefined });
});

const cases: Array<{ name: string; mediaUs: number; nowUs: number; expected: string }> = [
  { name: 'a step backwards', mediaUs: 4_000_000, nowUs: T0 + 1_000_000, expected: 'backwards' },
  {
    name: 'a forward jump beyond the gap limit',
    mediaUs: 5_000_000 + 3_600_000_000,
    nowUs: T0 + 1_000_000,
    expected: 'jump',
  },
  { name: 'drift from the wall clock', mediaUs: 5_000_000 + 4_000_000, nowUs: T0 + 20_000_000, expected: 'drift' },
];
for (const c of cases) {
  test(`${c.name} is a discontinuity and re-anchors at the wall clock`, () => {
    const clock = new WallClock({ maxGapUs: 5_000_000, maxDriftUs: 10_000_000 });
    clock.place(0, 5_000_000, T0);
    assert.deepEqual(clock.place(0, c.mediaUs, c.nowUs), { utcUs: c.nowUs, discontinuity: c.expected });
    // The next packet follows the new anchor.
    assert.deepEqual(clock.place(0, c.mediaUs + 40_000, c.nowUs + 40_000), {
      utcUs: c.nowUs + 40_000,
      discontinuity: undefined,
    });
  });
}
