import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention, type RetentionPolicy, type RetentionSegment } from './retention-plan.js';

const S = 1_000_000;
const NOW = 10_000 * S;

/** Segment `id` of 60 s starting `id` minutes after t=0, 100 bytes, closed. */
function seg(id: number, over: Partial<RetentionSegment> = {}): RetentionSegment {
  return { id, stream: 'cam', startUs: id * 60 * S, endUs: (id + 1) * 60 * S, sizeBytes: 100, closed: true, ...over };
}

const cases: Array<{
  name: string;
  segments: RetentionSegment[];
  locks?: Array<{ stream: string; fromUs: number; durationUs: number }>;
  policies: Record<string, RetentionPolicy>;
  deletions: Array<[number, 'expired' | 'quota']>;
  pressure?: Array<[string, number, number, number]>;
}> = [
  {
    name: 'no policy keeps everything',
    segments: [seg(0), seg(1)],
    policies: {},
    deletions: [],
  },
  {
    name: 'age: segments that ended before now - maxAge go, oldest first',
    segments: [seg(2), seg(0), seg(1), seg(160)],
    policies: { cam: { maxAgeUs: NOW - 120 * S } },
    deletions: [
      [0, 'expired'],
      [1, 'expired'],
    ],
  },
  {
    name: 'age: a locked segment stays',
    segments: [seg(0), seg(1), seg(2)],
    locks: [{ stream: 'cam', fromUs: 90 * S, durationUs: 10 * S }],
    policies: { cam: { maxAgeUs: NOW - 1000 * S } },
    deletions: [
      [0, 'expired'],
      [2, 'expired'],
    ],
  },
  {
    name: 'age: a lock of another stream does not protect',
    segments: [seg(0)],
    locks: [{ stream: 'other', fromUs: 0, durationUs: 60 * S }],
    policies: { cam: { maxAgeUs: 0 } },
    deletions: [[0, 'expired']],
  },
  {
    name: 'age: an open segment stays',
    segments: [seg(0, { closed: false }), seg(1)],
    policies: { cam: { maxAgeUs: 0 } },
    deletions: [[1, 'expired']],
  },
  {
    name: 'quota: oldest go until the stream fits',
    segments: [seg(0), seg(1), seg(2), seg(3)],
    policies: { cam: { quotaBytes: 250 } },
    deletions: [
      [0, 'quota'],
      [1, 'quota'],
    ],
  },
  {
    name: 'quota: under quota deletes nothing',
    segments: [seg(0), seg(1)],
    policies: { cam: { quotaBytes: 200 } },
    deletions: [],
  },
  {
    name: 'quota: locked segments are skipped, newer ones go instead',
    segments: [seg(0), seg(1), seg(2), seg(3)],
    locks: [{ stream: 'cam', fromUs: 30 * S, durationUs: 30 * S }],
    policies: { cam: { quotaBytes: 250 } },
    deletions: [
      [1, 'quota'],
      [2, 'quota'],
    ],
    pressure: [],
  },
  {
    name: 'quota: when only locked and open segments are left the stream is under pressure',
    segments: [seg(0), seg(1), seg(2, { closed: false })],
    locks: [{ stream: 'cam', fromUs: 0, durationUs: 120 * S }],
    policies: { cam: { quotaBytes: 150 } },
    deletions: [],
    pressure: [['cam', 150, 300, 200]],
  },
  {
    name: 'age then quota, counted across variants and only for its own stream',
    segments: [seg(0), seg(1), seg(2), seg(3), seg(4, { stream: 'b' }), seg(5, { stream: 'b' })],
    policies: { cam: { maxAgeUs: NOW - 60 * S, quotaBytes: 150 }, b: { quotaBytes: 1000 } },
    deletions: [
      [0, 'expired'],
      [1, 'quota'],
      [2, 'quota'],
    ],
    pressure: [],
  },
];

describe('planRetention', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plan = planRetention({
        segments: c.segments,
        locks: c.locks ?? [],
        nowUs: NOW,
        policies: new Map(Object.entries(c.policies)),
      });
      assert.deepEqual(
        plan.deletions.map((d) => [d.segmentId, d.reason]),
        c.deletions,
      );
      if (c.pressure !== undefined) {
        assert.deepEqual(
          plan.pressure.map((p) => [p.stream, p.quotaBytes, p.usedBytes, p.lockedBytes]),
          c.pressure,
        );
      }
    });
  }
});
