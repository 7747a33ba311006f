import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planClockSpans } from './watermark-plan.js';

describe('planClockSpans', () => {
  it('gives each collapsed piece its own offset, meeting where the next starts', () => {
    const spans = planClockSpans(
      {
        timeZone: 'UTC',
        pieces: [
          { outputStartS: 0, utcStartMs: 1_000_000_000_000 },
          // A 100 s gap collapsed at input second 10.
          { outputStartS: 10, utcStartMs: 1_000_000_110_000 },
        ],
      },
      20,
    );
    assert.deepEqual(spans, [
      { startS: 0, endS: 10, offsetS: 1_000_000_000 },
      { startS: 10, endS: undefined, offsetS: 1_000_000_100 },
    ]);
  });

  it('splits a piece where the zone leaves summer time', () => {
    // 2026-10-25 00:30 UTC; Berlin goes from UTC+2 to UTC+1 at 01:00 UTC.
    const startMs = Date.UTC(2026, 9, 25, 0, 30);
    const spans = planClockSpans(
      { timeZone: 'Europe/Berlin', pieces: [{ outputStartS: 0, utcStartMs: startMs }] },
      3600,
    );
    assert.deepEqual(spans, [
      { startS: 0, endS: 1800, offsetS: startMs / 1000 + 7200 },
      { startS: 1800, endS: undefined, offsetS: startMs / 1000 + 3600 },
    ]);
  });
});
