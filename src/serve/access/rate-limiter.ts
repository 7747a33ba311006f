/**
 * Failed-login limiting: a sliding window of failure times per key (a user
 * name, a client IP). A key with `maxFailures` in the last `windowMs` is
 * refused until its oldest failure leaves the window. Memory is bounded: keys
 * with no failure left in the window are dropped, and past `maxKeys` the
 * oldest keys go first.
 */
export interface RateLimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** ms clock (tests inject one). */
  now?: () => number;
  maxKeys?: number;
}

export class SlidingWindowLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;

  constructor(options: RateLimiterOptions) {
    this.#max = options.maxFailures;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  /** Seconds until any of `keys` may try again; 0 when all may now. */
  retryAfterSeconds(keys: readonly string[]): number {
    const now = this.#now();
    let waitMs = 0;
    for (const key of keys) {
      const times = this.#recent(key, now);
      if (times.length >= this.#max) {
        const oldestCounted = times[times.length - this.#max] ?? now;
        waitMs = Math.max(waitMs, oldestCounted + this.#windowMs - now);
      }
    }
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
  }

  recordFailure(keys: readonly string[]): void {
    const now = this.#now();
    for (const key of keys) {
      const times = this.#recent(key, now);
      times.push(now);
      // Re-inserted last, so the first key in the map is the one idle longest.
      this.#failures.delete(key);
      this.#failures.set(key, times.slice(-this.#max));
    }
    while (this.#failures.size > this.#maxKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  /** A success clears the user's failures (not the IP's: one good password does not vouch for the others tried). */
  clear(key: string): void {
    this.#failures.delete(key);
  }
}
