/**
 * Where fragments and segments end. Pure: fed the timing track's packets
 * (video, or audio when there is no video), it says whether the packet starts
 * a new fragment or a new segment.
 *
 * A fragment starts on a keyframe once the open one is at least `minFragmentUs`
 * long, so fragments are GOP-aligned when the GOP allows; it is cut anyway at
 * `maxFragmentUs`, so a crash never loses more than that. A segment is cut at
 * the first keyframe after `segmentDurationUs` (so every file starts playable).
 */

export type Cut = 'none' | 'fragment' | 'segment';

export interface FragmenterOptions {
  minFragmentUs?: number;
  maxFragmentUs?: number;
  segmentDurationUs?: number;
}

export const DEFAULT_SEGMENT_DURATION_US = 60_000_000;
const DEFAULT_MIN_FRAGMENT_US = 900_000;
const DEFAULT_MAX_FRAGMENT_US = 2_000_000;

export class Fragmenter {
  readonly minFragmentUs: number;
  readonly maxFragmentUs: number;
  readonly segmentDurationUs: number;
  private segmentStartUs: number | undefined;
  private fragmentStartUs = 0;

  constructor(options: FragmenterOptions = {}) {
    this.minFragmentUs = options.minFragmentUs ?? DEFAULT_MIN_FRAGMENT_US;
    this.maxFragmentUs = options.maxFragmentUs ?? DEFAULT_MAX_FRAGMENT_US;
    this.segmentDurationUs = options.segmentDurationUs ?? DEFAULT_SEGMENT_DURATION_US;
  }

  /**
   * Decides for a timing-track packet at stream time `timeUs`, before it is
   * added. `mustStartSegment` (a codec change, a discontinuity) forces a new
   * segment now, keyframe or not. The first packet always starts a segment.
   */
  next(timeUs: number, isKeyframe: boolean, mustStartSegment = false): Cut {
    if (this.segmentStartUs === undefined || mustStartSegment) {
      this.segmentStartUs = timeUs;
      this.fragmentStartUs = timeUs;
      return 'segment';
    }
    if (isKeyframe && timeUs - this.segmentStartUs >= this.segmentDurationUs) {
      this.segmentStartUs = timeUs;
      this.fragmentStartUs = timeUs;
      return 'segment';
    }
    const fragmentUs = timeUs - this.fragmentStartUs;
    if ((isKeyframe && fragmentUs >= this.minFragmentUs) || fragmentUs >= this.maxFragmentUs) {
      this.fragmentStartUs = timeUs;
      return 'fragment';
    }
    return 'none';
  }

  /** Forget the open segment: the next packet starts a new one. */
  reset(): void {
    this.segmentStartUs = undefined;
  }
}
