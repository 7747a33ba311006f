/**
 * RTP time → stream time. Pure.
 *
 * `RtpClock` unwraps 32-bit RTP timestamps into a continuous count of clock
 * ticks from a zero point (the RTP-Info rtptime of PLAY, so that all tracks
 * share one origin; else the track's first packet).
 *
 * `DtsDeriver` gives decode timestamps to video that carries only
 * presentation times (RTP). Access units arrive in decode order; with a
 * reorder depth D (at most D frames precede a frame in decode order and follow
 * it in presentation order), the i-th frame's dts is the (i−D)-th smallest pts
 * seen so far. That value is final once frame i has arrived (no later frame
 * can be presented earlier), it never exceeds frame i's pts, and it grows
 * monotonically: no frame is held back. The first D frames, before the window
 * is full, step back from the first pts by one frame duration each. D comes
 * from the SPS (H.264 VUI max_num_reorder_frames, H.265
 * sps_max_num_reorder_pics); when the SPS does not say, it starts from a
 * guess (2: x264's B-pyramid, and more than IBBP cameras need) and grows when
 * a frame shows more reordering; until the window has refilled, dts step one
 * tick at a time, and those few frames may get a dts above their pts.
 */

export class RtpClock {
  private lastTimestamp: number | undefined;
  private lastTicks = 0;

  /** `zero` is the RTP timestamp that becomes 0 (RTP-Info rtptime), if known before the first packet. */
  constructor(private zero?: number) {}

  ticks(timestamp: number): number {
    if (this.lastTimestamp === undefined) {
      this.zero ??= timestamp;
      this.lastTimestamp = this.zero;
    }
    // The signed 32-bit distance from the last timestamp: wraps in either direction come out right.
    this.lastTicks += (timestamp - this.lastTimestamp) | 0;
    this.lastTimestamp = timestamp;
    return this.lastTicks;
  }
}

/** H.264's largest DPB: no stream reorders more frames than this. */
const LEARN_WINDOW = 16;

export class DtsDeriver {
  /** Presentation times not yet used as a dts, ascending. */
  private readonly window: number[] = [];
  private count = 0;
  private firstPts = 0;
  private lastDts: number | undefined;
  private depth: number;
  /** The last presentation times in decode order, while the depth is learned. */
  private readonly recent: number[] = [];

  /**
   * @param depth the reorder depth (a first guess when `learn`).
   * @param frameTicks one frame's duration, for the first `depth` frames.
   * @param learn widen the depth when the stream shows more reordering.
   */
  constructor(
    depth: number,
    private readonly frameTicks: number,
    private readonly learn = false,
  ) {
    this.depth = depth;
  }

  get reorderDepth(): number {
    return this.depth;
  }

  dts(pts: number): number {
    if (this.learn) this.observe(pts);
    insertSorted(this.window, pts);
    if (this.count === 0) this.firstPts = pts;
    let dts: number;
    if (this.count < this.depth) {
      dts = this.firstPts - (this.depth - this.count) * this.frameTicks;
      if (dts > pts) dts = pts;
    } else if (this.window.length <= this.depth) {
      // The depth just grew: let the window fill up again before taking from it.
      dts = (this.lastDts ?? pts) + 1;
    } else {
      dts = this.window.shift()!;
    }
    this.count++;
    if (this.lastDts !== undefined && dts <= this.lastDts) dts = this.lastDts + 1;
    this.lastDts = dts;
    return dts;
  }

  /** A frame with more earlier-decoded frames presented after it than the depth allows: widen it. */
  private observe(pts: number): void {
    let later = 0;
    for (const value of this.recent) if (value > pts) later++;
    if (later > this.depth) this.depth = later;
    this.recent.push(pts);
    if (this.recent.length > LEARN_WINDOW) this.recent.shift();
  }
}

function insertSorted(values: number[], value: number): void {
  let i = values.length;
  while (i > 0 && values[i - 1]! > value) i--;
  values.splice(i, 0, value);
}
