/**
 * Where a wall-clock instant lands in an export's output (pure). With gaps
 * collapsed the output skips them, so an instant inside a gap lands where the
 * next recorded piece begins; with gaps kept it lands at its real offset.
 */
import type { SampleSelection } from '../types.js';

/** µs from the output's first instant, clamped to [0, durationUs]. */
export function outputTimeUs(selection: SampleSelection, wallUs: number): number {
  const { pieces, durationUs } = selection;
  const keep = selection.request.gaps === 'keep';
  const clamp = (us: number): number => Math.min(durationUs, Math.max(0, us));
  for (const piece of pieces) {
    if (wallUs < piece.fromUs) return clamp(keep ? wallUs - selection.firstShownUs : piece.outputStartUs);
    if (wallUs < piece.toUs) return clamp(piece.outputStartUs + (wallUs - piece.fromUs));
  }
  return durationUs;
}

/** Whether an event (an instant when start = end) overlaps `[fromUs, toUs)`: the rule the index uses too. */
export function overlapsRange(event: { startUs: number; endUs: number }, fromUs: number, toUs: number): boolean {
  return event.startUs < toUs && (event.endUs > fromUs || event.startUs >= fromUs);
}
