/**
 * Native codec objects kept open between calls, by key. Opening a decoder,
 * an encoder or a scaler costs more than using one for a single picture, and a
 * timeline hover asks for picture after picture of the same stream: the
 * second one should find everything open.
 *
 * Each call leases an item for itself alone, so two calls at once never share
 * one (a second call opens a second item). An item that saw an error is closed,
 * never reused: a codec left mid-frame is not worth trusting. Idle items close
 * after `idleMs`; `close()` closes the idle ones and makes the busy ones close
 * when their call ends.
 */

/** A native object the pool can keep. */
export interface PooledItem {
  /** Makes the item ready for the next call (drop held frames, clear EOF); false if it cannot be reused. */
  recycle(): boolean;
  /** Frees the native memory. Called exactly once. */
  close(): void;
}

export interface WarmPoolOptions {
  /** How long an unused item stays open. */
  idleMs: number;
  /** Idle items kept per key: more than the usual concurrency is memory for nothing. */
  maxIdlePerKey: number;
  /** Idle items kept over all keys (a 1080p decoder or encoder holds several MiB). */
  maxIdle: number;
}

interface IdleEntry<T> {
  item: T;
  timer: NodeJS.Timeout;
}

export class WarmPool<T extends PooledItem> {
  private readonly idle = new Map<string, Array<IdleEntry<T>>>();
  private idleCount = 0;
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {}

  /** Items waiting for a call, over all keys (for tests and metrics). */
  get idleSize(): number {
    return this.idleCount;
  }

  /**
   * Runs `body` with an item for `key`: an idle one, else a new one from
   * `open`. The item goes back to the pool when `body` resolves and is closed
   * when it throws.
   */
  async use<R>(key: string, open: () => Promise<T>, body: (item: T) => Promise<R>): Promise<R> {
    const item = this.take(key) ?? (await open());
    let result: R;
    try {
      result = await body(item);
    } catch (err) {
      item.close();
      throw err;
    }
    this.giveBack(key, item);
    return result;
  }

  /** Closes every idle item; items in use close when their call ends, and nothing is kept from then on. */
  close(): void {
    this.closed = true;
    for (const entries of this.idle.values()) {
      for (const { item, timer } of entries) {
        clearTimeout(timer);
        item.close();
      }
    }
    this.idle.clear();
    this.idleCount = 0;
  }

  private take(key: string): T | undefined {
    const entries = this.idle.get(key);
    // The most recently used item first: its memory is the likeliest to be warm.
    const entry = entries?.pop();
    if (entry === undefined) return undefined;
    if (entries!.length === 0) this.idle.delete(key);
    this.idleCount--;
    clearTimeout(entry.timer);
    return entry.item;
  }

  private giveBack(key: string, item: T): void {
    let reusable = false;
    try {
      reusable = this.recyclable(key) && item.recycle();
    } catch {
      reusable = false;
    }
    if (!reusable) {
      item.close();
      return;
    }
    let entries = this.idle.get(key);
    if (entries === undefined) this.idle.set(key, (entries = []));
    const timer = setTimeout(() => this.expire(key, item), this.options.idleMs);
    // An idle codec must not keep the process (a CLI run, a test) alive.
    timer.unref();
    entries.push({ item, timer });
    this.idleCount++;
  }

  private recyclable(key: string): boolean {
    if (this.closed) return false;
    if ((this.idle.get(key)?.length ?? 0) >= this.options.maxIdlePerKey) return false;
    if (this.idleCount >= this.options.maxIdle) this.evictOldest();
    return this.idleCount < this.options.maxIdle;
  }

  /** Closes the idle item of the key used longest ago, to make room for a fresher one. */
  private evictOldest(): void {
    const first = this.idle.keys().next();
    if (first.done === true) return;
    const entry = this.take(first.value);
    if (entry !== undefined) entry.close();
  }

  private expire(key: string, item: T): void {
    const entries = this.idle.get(key);
    const at = entries?.findIndex((e) => e.item === item) ?? -1;
    if (entries === undefined || at < 0) return;
    entries.splice(at, 1);
    if (entries.length === 0) this.idle.delete(key);
    this.idleCount--;
    item.close();
  }
}
