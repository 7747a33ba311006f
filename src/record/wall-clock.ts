/**
 * Anchors a stream's timestamps to UTC. The first packet's time is pinned to
 * the wall clock; after that UTC = anchor + (t − t0), so segment times follow
 * the camera's own clock and do not jitter with network delay. When the
 * stream's clock stops agreeing with ours (a backwards step, a jump forward,
 * or slow drift past a threshold) the caller is told, starts a new segment and
 * re-anchors, instead of writing a segment that claims to last for hours.
 * Pure: times in, decisions out.
 */

export type Discontinuity = 'backwards' | 'jump' | 'drift';

export interface WallClockOptions {
  /** A step forward between two packets of one track larger than this is a jump. */
  maxGapUs?: number;
  /** UTC derived from stream time may differ from the wall clock by at most this much. */
  maxDriftUs?: number;
}

export interface PlacedTime {
  /** UTC µs of the packet. */
  utcUs: number;
  /** Set when the stream broke with the wall clock; the clock has re-anchored at this packet. */
  discontinuity: Discontinuity | undefined;
}

const DEFAULT_MAX_GAP_US = 5_000_000;
const DEFAULT_MAX_DRIFT_US = 10_000_000;

export class WallClock {
  private readonly maxGapUs: number;
  private readonly maxDriftUs: number;
  private anchorUtcUs: number | undefined;
  private anchorMediaUs = 0;
  private readonly lastMediaUs = new Map<number, number>();

  constructor(options: WallClockOptions = {}) {
    this.maxGapUs = options.maxGapUs ?? DEFAULT_MAX_GAP_US;
    this.maxDriftUs = options.maxDriftUs ?? DEFAULT_MAX_DRIFT_US;
  }

  get anchored(): boolean {
    return this.anchorUtcUs !== undefined;
  }

  /**
   * Places a packet of `track` with stream time `mediaUs` (its dts in µs),
   * received at wall time `nowUs`.
   */
  place(track: number, mediaUs: number, nowUs: number): PlacedTime {
    if (this.anchorUtcUs === undefined) {
      this.anchor(track, mediaUs, nowUs);
      return { utcUs: nowUs, discontinuity: undefined };
    }
    const last = this.lastMediaUs.get(track);
    let discontinuity: Discontinuity | undefined;
    if (last !== undefined && mediaUs < last) discontinuity = 'backwards';
    else if (last !== undefined && mediaUs - last > this.maxGapUs) discontinuity = 'jump';
    const utcUs = this.anchorUtcUs + (mediaUs - this.anchorMediaUs);
    if (discontinuity === undefined && Math.abs(utcUs - nowUs) > this.maxDriftUs) discontinuity = 'drift';
    if (discontinuity !== undefined) {
      this.anchor(track, mediaUs, nowUs);
      return { utcUs: nowUs, discontinuity };
    }
    this.lastMediaUs.set(track, mediaUs);
    return { utcUs, discontinuity: undefined };
  }

  /** UTC of a stream time under the current anchor, without checks (for times already placed). */
  utcOf(mediaUs: number): number {
    return (this.anchorUtcUs ?? 0) + (mediaUs - this.anchorMediaUs);
  }

  reset(): void {
    this.anchorUtcUs = undefined;
    this.lastMediaUs.clear();
  }

  private anchor(track: number, mediaUs: number, nowUs: number): void {
    this.anchorUtcUs = nowUs;
    this.anchorMediaUs = mediaUs;
    this.lastMediaUs.clear();
    this.lastMediaUs.set(track, mediaUs);
  }
}
