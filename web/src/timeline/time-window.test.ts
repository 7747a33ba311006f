import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAX_SPAN_MS,
  MIN_SPAN_MS,
  ZOOM_SPANS_MS,
  followTime,
  nearestZoomIndex,
  spanOf,
  timeToX,
  windowAround,
  xToTime,
  zoomByLevels,
  zoomByWheel,
  zoomWindow,
} from './time-window.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS } from './time-zone.js';

const T = Date.parse('2026-11-21T10:00:00Z');

describe('zoom levels', () => {
  test('run from a week down to a minute', () => {
    assert.equal(ZOOM_SPANS_MS[0], WEEK_MS);
    assert.equal(ZOOM_SPANS_MS[ZOOM_SPANS_MS.length - 1], MINUTE_MS);
    for (let i = 1; i < ZOOM_SPANS_MS.length; i++) assert.ok(ZOOM_SPANS_MS[i]! < ZOOM_SPANS_MS[i - 1]!);
  });

  test('the nearest level of an arbitrary span', () => {
    assert.equal(ZOOM_SPANS_MS[nearestZoomIndex(50 * MINUTE_MS)], HOUR_MS);
    assert.equal(ZOOM_SPANS_MS[nearestZoomIndex(30 * DAY_MS)], WEEK_MS);
    assert.equal(ZOOM_SPANS_MS[nearestZoomIndex(1000)], MINUTE_MS);
  });

  test('zooming keeps the anchor at the same place on screen', () => {
    const window = { startMs: T, endMs: T + HOUR_MS };
    const anchor = T + 15 * MINUTE_MS;
    const zoomed = zoomWindow(window, 10 * MINUTE_MS, anchor);
    assert.equal(spanOf(zoomed), 10 * MINUTE_MS);
    assert.equal(timeToX(zoomed, 1000, anchor), timeToX(window, 1000, anchor));
  });

  test('zoom stops at a minute and at a week', () => {
    const window = windowAround(T, MINUTE_MS);
    assert.equal(spanOf(zoomByLevels(window, 3, T)), MIN_SPAN_MS);
    assert.equal(spanOf(zoomByWheel(windowAround(T, WEEK_MS), 10_000, T)), MAX_SPAN_MS);
  });

  test('one level in from an hour is 30 minutes; out is 3 hours', () => {
    const window = windowAround(T, HOUR_MS);
    assert.equal(spanOf(zoomByLevels(window, 1, T)), 30 * MINUTE_MS);
    assert.equal(spanOf(zoomByLevels(window, -1, T)), 3 * HOUR_MS);
  });

  test('the wheel doubles the span per 100 px', () => {
    assert.equal(spanOf(zoomByWheel(windowAround(T, HOUR_MS), 100, T)), 2 * HOUR_MS);
    assert.equal(spanOf(zoomByWheel(windowAround(T, HOUR_MS), -100, T)), HOUR_MS / 2);
  });
});

describe('pixels and following', () => {
  test('x and time map both ways', () => {
    const window = { startMs: T, endMs: T + HOUR_MS };
    assert.equal(timeToX(window, 600, T + 30 * MINUTE_MS), 300);
    assert.equal(xToTime(window, 600, 150), T + 15 * MINUTE_MS);
  });

  test('the window pans to keep a playhead in view, and stays put while it is', () => {
    const window = { startMs: T, endMs: T + HOUR_MS };
    assert.equal(followTime(window, T + 30 * MINUTE_MS), window);
    const moved = followTime(window, T + 2 * HOUR_MS);
    assert.ok(moved.endMs > T + 2 * HOUR_MS && spanOf(moved) === HOUR_MS);
  });
});
