import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseTickStepMs, generateTicks, localHourMinute, tickInstants } from './ticks.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, WEEK_MS, startOfLocalDay } from './time-zone.js';

const utc = (iso: string): number => Date.parse(iso);

function localDay(iso: string, zone: string) {
  const startMs = startOfLocalDay(utc(iso), zone);
  return { startMs, endMs: startOfLocalDay(startMs + 26 * HOUR_MS, zone) - 1 };
}

describe('tick steps', () => {
  test('grow with the span for the same width', () => {
    assert.equal(chooseTickStepMs(MINUTE_MS, 1200, 70), 5 * SECOND_MS);
    assert.equal(chooseTickStepMs(HOUR_MS, 1200, 70), 5 * MINUTE_MS);
    assert.equal(chooseTickStepMs(DAY_MS, 1200, 70), 2 * HOUR_MS);
    assert.equal(chooseTickStepMs(WEEK_MS, 1200, 70), 12 * HOUR_MS);
    assert.equal(chooseTickStepMs(WEEK_MS, 600, 70), DAY_MS);
  });

  test('a narrow week falls back to every other day, then to weekly ticks', () => {
    assert.equal(chooseTickStepMs(WEEK_MS, 300, 70), 2 * DAY_MS);
    assert.equal(chooseTickStepMs(WEEK_MS, 150, 70), 7 * DAY_MS);
  });
});

describe('hour ticks on DST days (Europe/Berlin)', () => {
  test('the 23-hour spring-forward day has 23 hour ticks, and no 02:00', () => {
    const ticks = tickInstants(localDay('2026-03-29T12:00:00Z', 'Europe/Berlin'), HOUR_MS, 'Europe/Berlin');
    const labels = ticks.map((t) => localHourMinute(t, 'Europe/Berlin'));
    assert.equal(ticks.length, 23);
    assert.deepEqual(labels.slice(0, 4), ['00:00', '01:00', '03:00', '04:00']);
  });

  test('the 25-hour fall-back day has 25 hour ticks, 02:00 twice', () => {
    const ticks = tickInstants(localDay('2026-10-25T12:00:00Z', 'Europe/Berlin'), HOUR_MS, 'Europe/Berlin');
    const labels = ticks.map((t) => localHourMinute(t, 'Europe/Berlin'));
    assert.equal(ticks.length, 25);
    assert.deepEqual(labels.slice(0, 5), ['00:00', '01:00', '02:00', '02:00', '03:00']);
    for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i]! - ticks[i - 1]!, HOUR_MS);
  });

  test('6-hour ticks stay on 00, 06, 12, 18 local on both DST days', () => {
    for (const iso of ['2026-03-29T12:00:00Z', '2026-10-25T12:00:00Z']) {
      const ticks = tickInstants(localDay(iso, 'Europe/Berlin'), 6 * HOUR_MS, 'Europe/Berlin');
      assert.deepEqual(
        ticks.map((t) => localHourMinute(t, 'Europe/Berlin')),
        ['00:00', '06:00', '12:00', '18:00'],
        iso,
      );
    }
  });
});

describe('ticks in other zones', () => {
  test('hour ticks in Asia/Kolkata fall on local whole hours (UTC :30)', () => {
    const window = { startMs: utc('2026-11-21T00:00:00Z'), endMs: utc('2026-11-21T04:00:00Z') };
    const ticks = tickInstants(window, HOUR_MS, 'Asia/Kolkata');
    assert.deepEqual(
      ticks.map((t) => new Date(t).toISOString().slice(11, 16)),
      ['00:30', '01:30', '02:30', '03:30'],
    );
  });

  test('a week shows seven local midnights, labelled with the date', () => {
    const startMs = startOfLocalDay(utc('2026-11-16T12:00:00Z'), 'America/New_York');
    const ticks = generateTicks({ startMs, endMs: startMs + WEEK_MS - 1 }, 600, 'America/New_York', {
      locale: 'en-GB',
    });
    assert.equal(ticks.length, 7);
    assert.ok(ticks.every((t) => t.major));
    assert.equal(ticks[0]!.label, 'Mon 16 Nov');
  });

  test('a week across the fall-back day still has one tick per local midnight', () => {
    const startMs = startOfLocalDay(utc('2026-10-22T12:00:00Z'), 'Europe/Berlin');
    const ticks = tickInstants({ startMs, endMs: startMs + WEEK_MS }, DAY_MS, 'Europe/Berlin');
    assert.ok(ticks.every((t) => localHourMinute(t, 'Europe/Berlin') === '00:00'));
    assert.equal(ticks.length, 7);
  });

  test('weekly ticks are Mondays', () => {
    const window = { startMs: utc('2026-11-01T00:00:00Z'), endMs: utc('2026-11-30T00:00:00Z') };
    const ticks = tickInstants(window, 7 * DAY_MS, 'UTC');
    assert.ok(ticks.every((t) => new Date(t).getUTCDay() === 1));
    assert.equal(ticks.length, 5); // 2, 9, 16, 23 and 30 November
  });

  test('minute-level labels carry seconds; midnight is marked major', () => {
    const startMs = utc('2026-11-20T23:59:30Z');
    const ticks = generateTicks({ startMs, endMs: startMs + MINUTE_MS }, 1200, 'UTC', { locale: 'en-GB' });
    assert.equal(ticks[0]!.label, '23:59:30');
    const midnight = ticks.find((t) => t.major);
    assert.equal(midnight?.tMs, utc('2026-11-21T00:00:00Z'));
  });
});
