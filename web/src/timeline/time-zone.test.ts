import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  HOUR_MS,
  addLocalDays,
  formatLocalDateTime,
  localDayLengthMs,
  parseLocalDateTime,
  startOfLocalDay,
  wallClockAt,
  wallClockToUtcMs,
  zoneOffsetMs,
} from './time-zone.js';

const utc = (iso: string): number => Date.parse(iso);

describe('zone offsets and wall clocks', () => {
  const offsetCases: [string, string, number][] = [
    ['Europe/Berlin', '2026-01-15T12:00:00Z', 1],
    ['Europe/Berlin', '2026-07-15T12:00:00Z', 2],
    ['America/New_York', '2026-01-15T12:00:00Z', -5],
    ['Asia/Kolkata', '2026-01-15T12:00:00Z', 5.5],
    ['UTC', '2026-07-15T12:00:00Z', 0],
  ];
  for (const [zone, iso, hours] of offsetCases) {
    test(`${zone} at ${iso} is UTC${hours >= 0 ? '+' : ''}${hours}`, () => {
      assert.equal(zoneOffsetMs(utc(iso), zone), hours * HOUR_MS);
    });
  }

  test('local fields round-trip to the same instant', () => {
    const t = utc('2026-11-21T09:30:15Z');
    assert.equal(wallClockToUtcMs(wallClockAt(t, 'Asia/Kolkata'), 'Asia/Kolkata'), t);
  });

  test('a wall-clock time that happens twice (clocks going back) is the earlier instant', () => {
    const t = wallClockToUtcMs({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin');
    assert.equal(t, utc('2026-10-25T00:30:00Z'));
  });

  test('a wall-clock time that never happens (clocks going forward) moves past the jump', () => {
    const t = wallClockToUtcMs({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin');
    assert.equal(formatLocalDateTime(t, 'Europe/Berlin'), '2026-03-29 03:30:00');
  });
});

describe('local days', () => {
  test('the spring-forward day lasts 23 hours and the fall-back day 25', () => {
    assert.equal(localDayLengthMs(utc('2026-03-29T12:00:00Z'), 'Europe/Berlin'), 23 * HOUR_MS);
    assert.equal(localDayLengthMs(utc('2026-10-25T12:00:00Z'), 'Europe/Berlin'), 25 * HOUR_MS);
    assert.equal(localDayLengthMs(utc('2026-03-08T17:00:00Z'), 'America/New_York'), 23 * HOUR_MS);
    assert.equal(localDayLengthMs(utc('2026-11-01T17:00:00Z'), 'America/New_York'), 25 * HOUR_MS);
    assert.equal(localDayLengthMs(utc('2026-06-01T12:00:00Z'), 'Europe/Berlin'), 24 * HOUR_MS);
  });

  test('local midnight is the zone’s, not UTC’s', () => {
    assert.equal(startOfLocalDay(utc('2026-07-15T21:30:00Z'), 'Europe/Berlin'), utc('2026-07-14T22:00:00Z'));
    assert.equal(startOfLocalDay(utc('2026-07-15T03:00:00Z'), 'America/New_York'), utc('2026-07-14T04:00:00Z'));
  });

  test('adding local days crosses DST and month ends on midnights', () => {
    assert.equal(addLocalDays(utc('2026-03-28T12:00:00Z'), 1, 'Europe/Berlin'), utc('2026-03-28T23:00:00Z'));
    assert.equal(addLocalDays(utc('2026-03-29T12:00:00Z'), 1, 'Europe/Berlin'), utc('2026-03-29T22:00:00Z'));
    assert.equal(addLocalDays(utc('2026-01-31T12:00:00Z'), 1, 'UTC'), utc('2026-02-01T00:00:00Z'));
    assert.equal(addLocalDays(utc('2026-01-01T12:00:00Z'), -1, 'UTC'), utc('2025-12-31T00:00:00Z'));
  });
});

describe('typed date-times', () => {
  test('reads YYYY-MM-DD HH:mm[:ss] in the zone', () => {
    assert.equal(parseLocalDateTime('2026-11-21 10:00:05', 'Europe/Berlin'), utc('2026-11-21T09:00:05Z'));
    assert.equal(parseLocalDateTime('2026-11-21T10:00', 'UTC'), utc('2026-11-21T10:00:00Z'));
  });

  test('refuses what is not a date-time', () => {
    for (const text of ['yesterday', '2026-02-30 10:00', '2026-13-01 10:00', '2026-11-21 24:00', '']) {
      assert.equal(parseLocalDateTime(text, 'UTC'), undefined, text);
    }
  });

  test('formats and parses back to the same second', () => {
    const t = utc('2026-10-25T00:59:59Z');
    assert.equal(parseLocalDateTime(formatLocalDateTime(t, 'Europe/Berlin'), 'Europe/Berlin'), t);
  });
});
