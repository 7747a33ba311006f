import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FramePacer, ptsAheadFor } from './frame-pacer.js';

/** A pacer at 25 fps on a clock the test moves. */
function pacerAt25(): { pacer: FramePacer; clock: { ms: number } } {
  const clock = { ms: 1_000 };
  return { pacer: new FramePacer([25, 1], () => clock.ms), clock };
}

describe('FramePacer', () => {
  it('asks for no wait before the stream runs frameAhead frames ahead', () => {
    const { pacer } = pacerAt25();
    for (let i = 0; i < 10; i++) pacer.onPushed();
    assert.equal(pacer.waitRefS(10), 0);
    assert.equal(pacer.blockUntilMs(10), 1_000 + 40 * (11 - 5), 'one more would be 11 ahead: wait to 5 ahead');
  });

  it('waitRef is T × (pushed − played − frameAhead)', () => {
    const { pacer, clock } = pacerAt25();
    for (let i = 0; i < 100; i++) pacer.onPushed();
    assert.equal(pacer.played, 0);
    assert.ok(Math.abs(pacer.waitRefS(20) - 80 / 25) < 1e-9);
    clock.ms += 1_000;
    assert.equal(pacer.played, 25);
    assert.ok(Math.abs(pacer.waitRefS(20) - 55 / 25) < 1e-9);
    clock.ms += 10_000;
    assert.equal(pacer.played, 100, 'never more than were pushed');
    assert.equal(pacer.waitRefS(20), 0);
  });

  it('a blocking push waits until playback caught up by half of frameAhead', () => {
    const { pacer, clock } = pacerAt25();
    for (let i = 0; i < 50; i++) pacer.onPushed();
    const until = pacer.blockUntilMs(50);
    assert.equal(until, 1_000 + 40 * (51 - 25));
    clock.ms = until!;
    assert.equal(pacer.blockUntilMs(50), undefined);
  });

  it('re-anchors after the publisher fell behind playback instead of bursting', () => {
    const { pacer, clock } = pacerAt25();
    pacer.onPushed();
    clock.ms += 10_000;
    assert.equal(pacer.played, 1);
    for (let i = 0; i < 30; i++) pacer.onPushed();
    assert.ok(pacer.waitRefS(10) > 0, '31 pushed, 1 played: the missed 10 s give no credit');
    assert.equal(pacer.blockUntilMs(10), clock.ms + 40 * (32 - 1 - 5));
  });

  it('a stream paced by blocking pushes takes at least (frames − frameAhead) / fps', () => {
    const { pacer, clock } = pacerAt25();
    const start = clock.ms;
    for (let i = 0; i < 250; i++) {
      clock.ms = Math.max(clock.ms, pacer.blockUntilMs(25) ?? clock.ms);
      pacer.onPushed();
    }
    assert.ok(clock.ms - start >= (250 - 25) * 40, `${clock.ms - start} ms`);
  });
});

describe('ptsAheadFor', () => {
  it('turns frames into ticks of a time base', () => {
    assert.equal(ptsAheadFor(50, [25, 1], { num: 1, den: 1000 }), 2000);
    assert.equal(ptsAheadFor(50, [25, 1], { num: 1, den: 25 }), 50);
    assert.equal(ptsAheadFor(30, [30000, 1001], { num: 1, den: 90000 }), 90090);
  });
});
