import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planUnlock } from './lock-intervals.js';

const lock = (id: number, fromUs: number, durationUs: number): { id: number; fromUs: number; durationUs: number } => ({
  id,
  fromUs,
  durationUs,
});

const cases = [
  { name: 'exact match removes the lock', locks: [lock(1, 10, 10)], unlock: [10, 10], deleted: [1], kept: [] },
  { name: 'unlocking the start trims it', locks: [lock(1, 10, 10)], unlock: [0, 15], deleted: [1], kept: [[15, 5]] },
  { name: 'unlocking the end trims it', locks: [lock(1, 10, 10)], unlock: [15, 100], deleted: [1], kept: [[10, 5]] },
  {
    name: 'unlocking the middle splits it',
    locks: [lock(1, 0, 100)],
    unlock: [40, 20],
    deleted: [1],
    kept: [
      [0, 40],
      [60, 40],
    ],
  },
  { name: 'a disjoint lock is untouched', locks: [lock(1, 0, 10)], unlock: [10, 10], deleted: [], kept: [] },
  {
    name: 'several locks at once',
    locks: [lock(1, 0, 10), lock(2, 20, 10), lock(3, 50, 10)],
    unlock: [5, 20],
    deleted: [1, 2],
    kept: [
      [0, 5],
      [25, 5],
    ],
  },
  {
    name: 'an instant lock inside the interval goes',
    locks: [lock(1, 15, 0)],
    unlock: [10, 10],
    deleted: [1],
    kept: [],
  },
  {
    name: 'unlocking an instant leaves longer locks',
    locks: [lock(1, 0, 100), lock(2, 50, 0)],
    unlock: [50, 0],
    deleted: [2],
    kept: [],
  },
] as const;

describe('planUnlock', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plan = planUnlock(c.locks, c.unlock[0], c.unlock[1]);
      assert.deepEqual(plan.deleteIds, c.deleted);
      assert.deepEqual(
        plan.keep.map((k) => [k.fromUs, k.durationUs]),
        c.kept,
      );
    });
  }
});
