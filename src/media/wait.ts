/** Small async helpers for the engine: abortable sleeps and timed waits. */
import { performance } from 'node:perf_hooks';
import { VigilError } from '../errors.js';

export function canceledError(): VigilError {
  return new VigilError('CANCELED', 'source: canceled');
}

/** Resolves after `ms`, or rejects with CANCELED when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(canceledError());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(canceledError());
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits for `promise`, but rejects with `onTimeout()` after `ms` and with
 * CANCELED when `signal` aborts. The promise keeps running; callers clean up.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  onTimeout: () => Error,
): Promise<T> {
  if (signal?.aborted === true) return Promise.reject(canceledError());
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      reject(canceledError());
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(onTimeout());
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        cleanup();
        reject(err);
      },
    );
  });
}

/**
 * `withTimeout` for a loop of reads, with one timer for the whole loop
 * instead of one per read (a recorder reads 25–100 packets a second per
 * source). `wait(read)` rejects with `onStall()` once a single read has
 * brought nothing for `timeoutMs`, and with CANCELED when `signal` aborts;
 * after either, every later wait rejects the same way. The read keeps
 * running; callers clean up.
 */
export class StallWatchdog {
  private timer: NodeJS.Timeout | undefined;
  /** When the read in flight began (performance.now ms); undefined between reads. */
  private readStartedMs: number | undefined;
  private readonly failed: Promise<never>;
  private reject: (err: Error) => void = () => undefined;
  private failure: Error | undefined;
  private readonly onAbort = (): void => this.fail(canceledError());

  constructor(
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onStall: () => Error,
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.reject = reject;
    });
    // Nobody may be waiting when it fails; the next wait sees it.
    this.failed.catch(() => undefined);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async wait<T>(read: Promise<T>): Promise<T> {
    if (this.failure !== undefined) throw this.failure;
    if (this.signal?.aborted === true) throw canceledError();
    this.readStartedMs = performance.now();
    this.timer ??= setTimeout(this.check, this.timeoutMs);
    try {
      return await Promise.race([read, this.failed]);
    } finally {
      this.readStartedMs = undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.reject(this.failure);
  }

  private readonly check = (): void => {
    this.timer = undefined;
    // Idle between reads: the next wait arms the timer again.
    if (this.readStartedMs === undefined) return;
    const elapsedMs = performance.now() - this.readStartedMs;
    if (elapsedMs >= this.timeoutMs) this.fail(this.onStall());
    else this.timer = setTimeout(this.check, this.timeoutMs - elapsedMs);
  };
}
