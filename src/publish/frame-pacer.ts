/**
 * Pacing of pushed frames against real playback. Pure: the clock is injected.
 *
 * Playback starts when the first frame is pushed and shows `fps` frames a
 * second from then on. A publisher that falls behind (playback ran out of
 * frames) re-anchors the clock at its next frame: the stream stalled there,
 * and letting it burst the missed frames out later would flood the server.
 */

/** Milliseconds from some fixed origin, monotonic (performance.now in production). */
export type Clock = () => number;

export class FramePacer {
  private anchorMs: number | undefined;
  private pushedAtAnchor = 0;
  private pushedCount = 0;
  private readonly frameMs: number;

  constructor(
    frameRate: readonly [number, number],
    private readonly now: Clock,
  ) {
    this.frameMs = (1000 * frameRate[1]) / frameRate[0];
  }

  get pushed(): number {
    return this.pushedCount;
  }

  /** Frames real playback has shown by now (whole frames; never more than were pushed). */
  get played(): number {
    return Math.min(this.pushedCount, Math.floor(this.playedExact()));
  }

  /** Counts one frame pushed now. */
  onPushed(): void {
    const now = this.now();
    if (this.anchorMs === undefined || this.playedExact(now) > this.pushedCount) {
      this.anchorMs = now;
      this.pushedAtAnchor = this.pushedCount;
    }
    this.pushedCount += 1;
  }

  /**
   * Seconds to wait before pushing the next frame so the stream is at most
   * `frameAhead` frames ahead of playback: T × max(pushed − played − frameAhead, 0).
   */
  waitRefS(frameAhead: number): number {
    return Math.max(0, this.dueMs(this.pushedCount - frameAhead) - this.now()) / 1000;
  }

  /**
   * The monotonic time until which a blocking push of one more frame must wait:
   * none while the stream, counting that frame, is at most `frameAhead` ahead;
   * otherwise until playback has caught up by half, to `frameAhead / 2` ahead.
   */
  blockUntilMs(frameAhead: number): number | undefined {
    const after = this.pushedCount + 1;
    if (this.anchorMs === undefined || after - this.playedExact() <= frameAhead) return undefined;
    return this.dueMs(after - frameAhead / 2);
  }

  /** When frame number `index` (0 = the first pushed) starts playing. */
  private dueMs(index: number): number {
    if (this.anchorMs === undefined) return this.now();
    return this.anchorMs + (index - this.pushedAtAnchor) * this.frameMs;
  }

  private playedExact(now = this.now()): number {
    if (this.anchorMs === undefined) return 0;
    return this.pushedAtAnchor + (now - this.anchorMs) / this.frameMs;
  }
}

/** frameAhead expressed in ticks of `timeBase` (the read-only `ptsAhead`). */
export function ptsAheadFor(
  frameAhead: number,
  frameRate: readonly [number, number],
  timeBase: { num: number; den: number },
): number {
  return Math.round((frameAhead * frameRate[1] * timeBase.den) / (frameRate[0] * timeBase.num));
}
