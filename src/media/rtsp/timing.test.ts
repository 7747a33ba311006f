import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DtsDeriver, RtpClock } from './timing.js';

describe('RtpClock', () => {
  test('counts ticks from the RTP-Info time, across the 32-bit wrap', () => {
    const clock = new RtpClock(4_294_960_000);
    assert.equal(clock.ticks(4_294_960_000), 0);
    assert.equal(clock.ticks(4_294_963_600), 3_600);
    // 2^32 is 4_294_967_296: 2_304 is 9_600 ticks after the zero.
    assert.equal(clock.ticks(2_304), 9_600);
    assert.equal(clock.ticks(5_904), 13_200);
    // A packet a little older than the last one (reordered audio) goes back, not forward by 2^32.
    assert.equal(clock.ticks(4_294_967_000), 7_000);
  });

  test('without RTP-Info, the first packet is the zero', () => {
    const clock = new RtpClock();
    assert.equal(clock.ticks(123_456), 0);
    assert.equal(clock.ticks(127_056), 3_600);
  });
});

/** Presentation times of a GOP in decode order: I P B b b (B-pyramid, reorder depth 2), 25 fps at 90 kHz. */
function pyramidGops(count: number): number[] {
  const out: number[] = [];
  const f = 3_600;
  for (let g = 0; g < count; g++) {
    const base = g * 8 * f;
    // Display order I0 B1 B2 B3 P4 B5 B6 B7 (then the next GOP's I at 8); decode order below.
    for (const k of g === 0 ? [0] : []) out.push(base + k * f);
    for (const k of [4, 2, 1, 3, 8, 6, 5, 7]) out.push(base + k * f);
  }
  return out;
}

function checkDts(pts: number[], deriver: DtsDeriver): number[] {
  const dts = pts.map((p) => deriver.dts(p));
  for (let i = 0; i < pts.length; i++) {
    assert.ok(dts[i]! <= pts[i]!, `dts ${dts[i]} <= pts ${pts[i]} at ${i}`);
    if (i > 0) assert.ok(dts[i]! > dts[i - 1]!, `dts increases at ${i}`);
  }
  return dts;
}

describe('DtsDeriver', () => {
  test('with the SPS’s reorder depth: dts are the sorted pts shifted by the depth', () => {
    const pts = pyramidGops(4);
    const dts = checkDts(pts, new DtsDeriver(2, 3_600));
    // Evenly spaced, one frame apart, starting two frames before the first pts: what FFmpeg's muxers write.
    assert.deepEqual(
      dts,
      pts.map((_, i) => (i - 2) * 3_600),
    );
  });

  test('without B-frames dts equal pts', () => {
    const pts = Array.from({ length: 50 }, (_, i) => i * 3_000);
    assert.deepEqual(checkDts(pts, new DtsDeriver(0, 3_000)), pts);
  });

  test('learning the depth when the SPS does not give it: still monotonic, and ≤ pts once learned', () => {
    const pts = pyramidGops(6);
    const deriver = new DtsDeriver(0, 3_600, true);
    const dts = pts.map((p) => deriver.dts(p));
    assert.equal(deriver.reorderDepth, 2);
    for (let i = 1; i < dts.length; i++) assert.ok(dts[i]! > dts[i - 1]!, `dts increases at ${i}`);
    // Once the depth is known and the window refilled (within the first GOP), every dts is at most its pts.
    for (let i = 7; i < dts.length; i++) assert.ok(dts[i]! <= pts[i]!, `dts <= pts at ${i}`);
  });
});
