/**
 * What the timeline draws, in pixels: recorded ranges and locks clipped to the
 * window (neighbours closer than a pixel merged, so a week of 60 s segments is
 * a few rectangles), the gaps between recordings, and event markers. Pure.
 */
import { timeToX, type TimeWindow } from './time-window.js';

/** A range in UTC milliseconds (the API's `{from, duration}` in seconds, times 1000). */
export interface MsRange {
  startMs: number;
  endMs: number;
}

export interface Bar {
  x: number;
  width: number;
}

/** Seconds-based `{from, duration}` from the API, as milliseconds. */
export function rangeFromWire(range: { from: number; duration: number }): MsRange {
  return { startMs: range.from * 1000, endMs: (range.from + range.duration) * 1000 };
}

/** Bars for `ranges` (sorted or not) inside `window`, at least 1 px wide, merging what touches on screen. */
export function layoutBars(ranges: readonly MsRange[], window: TimeWindow, widthPx: number): Bar[] {
  const sorted = ranges
    .filter((r) => r.endMs > window.startMs && r.startMs < window.endMs)
    .sort((a, b) => a.startMs - b.startMs);
  const bars: Bar[] = [];
  for (const r of sorted) {
    const x0 = Math.max(0, timeToX(window, widthPx, r.startMs));
    const x1 = Math.min(widthPx, timeToX(window, widthPx, r.endMs));
    const last = bars[bars.length - 1];
    if (last !== undefined && x0 <= last.x + last.width + 1) {
      last.width = Math.max(last.width, x1 - last.x);
      continue;
    }
    bars.push({ x: x0, width: Math.max(1, x1 - x0) });
  }
  return bars;
}

/** The unrecorded stretches between sorted, recorded `ranges`, inside `[fromMs, toMs]`. */
export function gapsBetween(ranges: readonly MsRange[], fromMs: number, toMs: number): MsRange[] {
  const sorted = [...ranges].sort((a, b) => a.startMs - b.startMs);
  const gaps: MsRange[] = [];
  let cursor = fromMs;
  for (const r of sorted) {
    if (r.startMs > cursor) gaps.push({ startMs: cursor, endMs: Math.min(r.startMs, toMs) });
    cursor = Math.max(cursor, r.endMs);
    if (cursor >= toMs) break;
  }
  if (cursor < toMs) gaps.push({ startMs: cursor, endMs: toMs });
  return gaps.filter((g) => g.endMs > g.startMs);
}

/** Whether `tMs` falls in one of `ranges` (end exclusive). */
export function isInRanges(ranges: readonly MsRange[], tMs: number): boolean {
  return ranges.some((r) => tMs >= r.startMs && tMs < r.endMs);
}

/** The first recorded instant at or after `tMs`, or undefined after the last range: where a click in a gap plays from. */
export function nextRecordedMs(ranges: readonly MsRange[], tMs: number): number | undefined {
  let best: number | undefined;
  for (const r of ranges) {
    if (tMs >= r.startMs && tMs < r.endMs) return tMs;
    if (r.startMs > tMs && (best === undefined || r.startMs < best)) best = r.startMs;
  }
  return best;
}

/** A selection made by dragging from `aMs` to `bMs`, in either direction. */
export function normalizeSelection(aMs: number, bMs: number): MsRange {
  return { startMs: Math.min(aMs, bMs), endMs: Math.max(aMs, bMs) };
}
