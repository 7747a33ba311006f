/**
 * The timeline's visible window: zoom levels from a week to a minute, zooming
 * around an anchor (the cursor), panning, and the mapping between instants and
 * pixels. Pure: times are UTC milliseconds.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS } from './time-zone.js';

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** Widest first; the buttons and the wheel step through these. */
export const ZOOM_SPANS_MS = [
  WEEK_MS,
  3 * DAY_MS,
  DAY_MS,
  12 * HOUR_MS,
  6 * HOUR_MS,
  3 * HOUR_MS,
  HOUR_MS,
  30 * MINUTE_MS,
  10 * MINUTE_MS,
  5 * MINUTE_MS,
  MINUTE_MS,
] as const;

export const MAX_SPAN_MS = ZOOM_SPANS_MS[0];
export const MIN_SPAN_MS = ZOOM_SPANS_MS[ZOOM_SPANS_MS.length - 1]!;

export function spanOf(window: TimeWindow): number {
  return window.endMs - window.startMs;
}

/** The zoom level whose span is closest to `spanMs` (on a log scale, as zooming feels). */
export function nearestZoomIndex(spanMs: number): number {
  let best = 0;
  for (let i = 1; i < ZOOM_SPANS_MS.length; i++) {
    const distance = Math.abs(Math.log(ZOOM_SPANS_MS[i]! / spanMs));
    if (distance < Math.abs(Math.log(ZOOM_SPANS_MS[best]! / spanMs))) best = i;
  }
  return best;
}

export function clampSpan(spanMs: number): number {
  return Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, spanMs));
}

/** A window of `spanMs` (clamped to a minute … a week) that keeps `anchorMs` at the same place on screen. */
export function zoomWindow(window: TimeWindow, spanMs: number, anchorMs: number): TimeWindow {
  const span = clampSpan(spanMs);
  const oldSpan = spanOf(window);
  const fraction = oldSpan > 0 ? Math.min(1, Math.max(0, (anchorMs - window.startMs) / oldSpan)) : 0.5;
  const startMs = anchorMs - fraction * span;
  return { startMs, endMs: startMs + span };
}

/** One zoom level in (`steps` > 0) or out (< 0) from the level nearest the window's span. */
export function zoomByLevels(window: TimeWindow, steps: number, anchorMs: number): TimeWindow {
  const index = nearestZoomIndex(spanOf(window));
  const next = Math.min(ZOOM_SPANS_MS.length - 1, Math.max(0, index + steps));
  return zoomWindow(window, ZOOM_SPANS_MS[next]!, anchorMs);
}

/** Smooth zoom for the wheel: each 100 px of `deltaY` doubles (out) or halves (in) the span. */
export function zoomByWheel(window: TimeWindow, deltaY: number, anchorMs: number): TimeWindow {
  return zoomWindow(window, spanOf(window) * Math.pow(2, deltaY / 100), anchorMs);
}

export function panWindow(window: TimeWindow, deltaMs: number): TimeWindow {
  return { startMs: window.startMs + deltaMs, endMs: window.endMs + deltaMs };
}

/** A window of `spanMs` with `tMs` at `fraction` of its width (0.5: centred). */
export function windowAround(tMs: number, spanMs: number, fraction = 0.5): TimeWindow {
  const span = clampSpan(spanMs);
  const startMs = tMs - span * fraction;
  return { startMs, endMs: startMs + span };
}

/** Keeps `tMs` in view: the window pans just enough when `tMs` leaves the inner `margin` of it. */
export function followTime(window: TimeWindow, tMs: number, margin = 0.05): TimeWindow {
  const span = spanOf(window);
  const low = window.startMs + span * margin;
  const high = window.endMs - span * margin;
  if (tMs < low) return panWindow(window, tMs - low);
  if (tMs > high) return panWindow(window, tMs - high);
  return window;
}

export function timeToX(window: TimeWindow, widthPx: number, tMs: number): number {
  return ((tMs - window.startMs) / spanOf(window)) * widthPx;
}

export function xToTime(window: TimeWindow, widthPx: number, x: number): number {
  return window.startMs + (x / widthPx) * spanOf(window);
}
