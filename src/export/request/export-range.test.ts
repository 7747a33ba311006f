import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RANGE_SECONDS, normalizeRange } from './export-range.js';
import { assertRefused, NOW_S, NOW_US } from './testing.js';

const S = 1_000_000;
const HOUR_AGO = NOW_S - 3600;

test('a range is start plus end, or start plus duration, 60 s when neither', () => {
  const cases: Array<[object, { fromUs: number; toUs: number }]> = [
    [{ start: HOUR_AGO }, { fromUs: HOUR_AGO * S, toUs: (HOUR_AGO + 60) * S }],
    [
      { start: HOUR_AGO, duration: 15 },
      { fromUs: HOUR_AGO * S, toUs: (HOUR_AGO + 15) * S },
    ],
    [
      { start: HOUR_AGO, duration: '1.5' },
      { fromUs: HOUR_AGO * S, toUs: HOUR_AGO * S + 1_500_000 },
    ],
    [
      { start: HOUR_AGO, end: HOUR_AGO + 900 },
      { fromUs: HOUR_AGO * S, toUs: (HOUR_AGO + 900) * S },
    ],
    [
      { start: HOUR_AGO, end: HOUR_AGO + 900, duration: 900 },
      { fromUs: HOUR_AGO * S, toUs: (HOUR_AGO + 900) * S },
    ],
    [
      { start: '2026-01-31T11:00:00Z', end: '2026-01-31T12:15:00+01:00' },
      { fromUs: HOUR_AGO * S, toUs: NOW_US - 2700 * S },
    ],
    [{ start: NOW_S }, { fromUs: NOW_US, toUs: NOW_US + 60 * S }],
    [
      { start: HOUR_AGO, end: NOW_S + 600 },
      { fromUs: HOUR_AGO * S, toUs: NOW_US + 600 * S },
    ],
    [
      { start: HOUR_AGO - MAX_RANGE_SECONDS, duration: MAX_RANGE_SECONDS },
      { fromUs: (HOUR_AGO - MAX_RANGE_SECONDS) * S, toUs: HOUR_AGO * S },
    ],
  ];
  for (const [input, expected] of cases) {
    const { start, end, duration } = input as Record<string, unknown>;
    assert.deepEqual(normalizeRange({ start, end, duration }, NOW_US), expected, JSON.stringify(input));
  }
});

test('a bad range is refused, naming the field', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{}, 'start', /required/],
    [{ start: null }, 'start', /required/],
    [{ start: 'yesterday' }, 'start', /Unix seconds/],
    [{ start: NOW_S + 1 }, 'start', /in the future/],
    [{ start: HOUR_AGO, end: HOUR_AGO }, 'end', /must be after start/],
    [{ start: HOUR_AGO, end: HOUR_AGO - 60 }, 'end', /must be after start/],
    [{ start: HOUR_AGO, end: 'soon' }, 'end', /Unix seconds/],
    [{ start: HOUR_AGO, duration: 0 }, 'duration', /greater than 0/],
    [{ start: HOUR_AGO, duration: -5 }, 'duration', /duration in seconds/],
    [{ start: HOUR_AGO, end: HOUR_AGO + 60, duration: 30 }, 'duration', /disagrees with end - start = 60 s/],
    [{ start: HOUR_AGO, duration: MAX_RANGE_SECONDS + 1 }, 'duration', /at most 604800 s \(7 days\)/],
    [{ start: HOUR_AGO - 8 * 86400, end: HOUR_AGO }, 'end', /at most 604800 s/],
  ];
  for (const [input, field, pattern] of cases) {
    assertRefused(
      () => normalizeRange({ start: input.start, end: input.end, duration: input.duration }, NOW_US),
      field,
      [pattern],
    );
  }
});
