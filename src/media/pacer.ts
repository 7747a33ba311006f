/**
 * Paces packets at real time: the first packet's timestamp is anchored to the
 * monotonic clock and each later one waits until its due time. Used for
 * file:// sources with `realtime` and for the demo source, which would
 * otherwise produce media as fast as the CPU allows.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from './wait.js';
import type { Rational } from './types.js';

export class RealtimePacer {
  private anchorMs: number | undefined;
  private firstUs = 0;

  async wait(timestamp: number | undefined, timeBase: Rational, signal: AbortSignal | undefined): Promise<void> {
    if (timestamp === undefined) return;
    const us = (timestamp * timeBase.num * 1_000_000) / timeBase.den;
    if (this.anchorMs === undefined) {
      this.anchorMs = performance.now();
      this.firstUs = us;
      return;
    }
    const dueMs = this.anchorMs + (us - this.firstUs) / 1000;
    const delayMs = dueMs - performance.now();
    // A timestamp far behind (a loop or jump in the file) re-anchors instead of bursting.
    if (delayMs < -5_000 || delayMs > 5_000) {
      this.anchorMs = performance.now();
      this.firstUs = us;
      return;
    }
    if (delayMs > 1) await sleep(delayMs, signal);
  }
}
