/**
 * Reads playing RTSP connections in batches. A camera's TCP stream arrives
 * as a burst per frame or two, and reading as soon as data is there wakes
 * the event loop ~27 times a second per 4 Mbit/s stream, each wake-up paying
 * Node's fixed cost (epoll, the callback into JavaScript, microtasks) for
 * one socket. After a read that drained the socket, a connection stops
 * reading until the next tick of a batcher shared by every connection, so
 * one wake-up reads the last ~100 ms of every stream: at 4 streams that
 * halved the recorder's CPU and at 16 cut it by ~60 % (README "Recorder
 * cost"); a lone stream gains nothing measurable. The kernel holds the bytes
 * meanwhile (100 ms of 4 Mbit/s is ~50 KB; Linux's default receive buffer
 * is 128 KB and grows); a read that brings `HOLD_BELOW_BYTES` or more is not
 * followed by a pause, so a heavy stream is read as fast as it comes.
 * Recording gets ≤100 ms later, which nothing downstream notices (fragments
 * are ~2 s, wall-clock anchoring tolerates seconds).
 */

/** A read this large means the socket may hold more: read on instead of pausing. */
export const HOLD_BELOW_BYTES = 64 * 1024;

export class ReadBatcher {
  private readonly deferred = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly periodMs: number) {}

  /** Runs `resume` at the next tick (at most `periodMs` from now), with every other resume deferred until then. */
  defer(resume: () => void): void {
    this.deferred.add(resume);
    this.timer ??= setTimeout(this.flush, this.periodMs);
  }

  /** Forgets a deferred resume (its connection closed); the last one stops the timer. */
  cancel(resume: () => void): void {
    this.deferred.delete(resume);
    if (this.deferred.size > 0 || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The tick: runs every deferred resume now. */
  readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const due = [...this.deferred];
    this.deferred.clear();
    for (const resume of due) resume();
  };
}

/** The batcher of every recording RTSP connection in this thread. */
export const recordingReadBatcher = new ReadBatcher(100);
