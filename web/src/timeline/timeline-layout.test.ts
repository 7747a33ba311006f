import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  gapsBetween,
  isInRanges,
  layoutBars,
  nextRecordedMs,
  normalizeSelection,
  rangeFromWire,
} from './timeline-layout.js';

const window = { startMs: 0, endMs: 1000 };

describe('timeline layout', () => {
  test('API ranges in seconds become milliseconds', () => {
    assert.deepEqual(rangeFromWire({ from: 10, duration: 2.5 }), { startMs: 10_000, endMs: 12_500 });
  });

  test('bars are clipped to the window and neighbours closer than a pixel merge', () => {
    const bars = layoutBars(
      [
        { startMs: -100, endMs: 100 },
        { startMs: 100.5, endMs: 200 },
        { startMs: 500, endMs: 600 },
        { startMs: 2000, endMs: 3000 },
      ],
      window,
      100,
    );
    assert.deepEqual(bars, [
      { x: 0, width: 20 },
      { x: 50, width: 10 },
    ]);
  });

  test('a range shorter than a pixel still shows', () => {
    assert.deepEqual(layoutBars([{ startMs: 500, endMs: 501 }], window, 100), [{ x: 50, width: 1 }]);
  });

  test('gaps are the unrecorded stretches', () => {
    const ranges = [
      { startMs: 100, endMs: 200 },
      { startMs: 150, endMs: 300 },
      { startMs: 500, endMs: 600 },
    ];
    assert.deepEqual(gapsBetween(ranges, 0, 1000), [
      { startMs: 0, endMs: 100 },
      { startMs: 300, endMs: 500 },
      { startMs: 600, endMs: 1000 },
    ]);
  });

  test('a click in a gap plays from the next recording', () => {
    const ranges = [
      { startMs: 100, endMs: 200 },
      { startMs: 500, endMs: 600 },
    ];
    assert.equal(nextRecordedMs(ranges, 150), 150);
    assert.equal(nextRecordedMs(ranges, 300), 500);
    assert.equal(nextRecordedMs(ranges, 700), undefined);
    assert.equal(isInRanges(ranges, 200), false);
  });

  test('a drag selects the same range in either direction', () => {
    assert.deepEqual(normalizeSelection(900, 300), { startMs: 300, endMs: 900 });
  });
});
