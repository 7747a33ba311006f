import type { RecordedRange } from './types.js';

export const DEFAULT_GAP_TOLERANCE_US = 1_500_000;

/**
 * Merges segments (sorted by start) into recorded ranges. A break longer than
 * `gapToleranceUs` between one segment's end and the next one's start splits a
 * range; segments with nothing in them yet are ignored.
 */
export function computeRanges(
  segments: ReadonlyArray<{ startUs: number; endUs: number }>,
  gapToleranceUs: number = DEFAULT_GAP_TOLERANCE_US,
): RecordedRange[] {
  const ranges: RecordedRange[] = [];
  let current: { fromUs: number; toUs: number } | undefined;
  for (const s of segments) {
    if (s.endUs <= s.startUs) continue;
    if (current !== undefined && s.startUs - current.toUs <= gapToleranceUs) {
      current.toUs = Math.max(current.toUs, s.endUs);
      continue;
    }
    if (current !== undefined) ranges.push({ fromUs: current.fromUs, durationUs: current.toUs - current.fromUs });
    current = { fromUs: s.startUs, toUs: s.endUs };
  }
  if (current !== undefined) ranges.push({ fromUs: current.fromUs, durationUs: current.toUs - current.fromUs });
  return ranges;
}
