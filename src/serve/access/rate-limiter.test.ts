import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingWindowLimiter } from './rate-limiter.js';

describe('failed-login limiter', () => {
  const make = () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    return { limiter, at: (ms: number) => (now = ms) };
  };

  it('refuses after the limit until the oldest failure leaves the window', () => {
    const { limiter, at } = make();
    for (const t of [0, 10_000, 20_000]) {
      at(t);
      assert.equal(limiter.retryAfterSeconds(['user:a']), 0);
      limiter.recordFailure(['user:a']);
    }
    at(30_000);
    assert.equal(limiter.retryAfterSeconds(['user:a']), 30); // the failure at 0 leaves at 60 s
    at(60_001);
    assert.equal(limiter.retryAfterSeconds(['user:a']), 0);
  });

  it('counts each key apart and answers for the most limited one', () => {
    const { limiter } = make();
    for (let i = 0; i < 3; i++) limiter.recordFailure(['user:a', 'ip:1.2.3.4']);
    assert.ok(limiter.retryAfterSeconds(['user:b', 'ip:1.2.3.4']) > 0);
    assert.equal(limiter.retryAfterSeconds(['user:b', 'ip:5.6.7.8']), 0);
    limiter.clear('user:a');
    assert.equal(limiter.retryAfterSeconds(['user:a']), 0);
  });

  it('keeps at most maxKeys keys', () => {
    const limiter = new SlidingWindowLimiter({ maxFailures: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    for (const k of ['a', 'b', 'c']) limiter.recordFailure([k]);
    assert.equal(limiter.retryAfterSeconds(['a']), 0);
    assert.ok(limiter.retryAfterSeconds(['c']) > 0);
  });
});
