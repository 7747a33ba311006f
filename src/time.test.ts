import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVigilError } from './errors.js';
import { assertTimeZone, isTimeZone, parseDurationToUs, parseTimeToUs } from './time.js';

test('times are accepted as Unix seconds or ISO 8601 with a zone', () => {
  const cases: Array<[unknown, number]> = [
    [1_700_000_000, 1_700_000_000_000_000],
    ['1700000000', 1_700_000_000_000_000],
    ['1700000000.5', 1_700_000_000_500_000],
    ['2023-11-14T22:13:20Z', 1_700_000_000_000_000],
    ['2023-11-14T23:13:20+01:00', 1_700_000_000_000_000],
  ];
  for (const [input, expected] of cases) assert.equal(parseTimeToUs(input, 'from'), expected, String(input));
});

test('a wrong time names the field and shows what is accepted', () => {
  for (const input of [-1, 'yesterday', '2023-11-14T22:13:20', '', null, Number.NaN]) {
    assert.throws(
      () => parseTimeToUs(input, 'from'),
      (err: unknown) =>
        isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'from' && /Unix seconds/.test(err.message),
    );
  }
});

test('durations are non-negative seconds', () => {
  assert.equal(parseDurationToUs(3600, 'duration'), 3_600_000_000);
  assert.equal(parseDurationToUs('1.5', 'duration'), 1_500_000);
  for (const input of [-5, 'ten', '', undefined]) {
    assert.throws(
      () => parseDurationToUs(input, 'duration'),
      (err: unknown) => isVigilError(err) && err.field === 'duration',
    );
  }
});

test('time zones are IANA names Intl knows; offsets and unknown names are refused with the field', () => {
  for (const zone of ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+2']) {
    assert.equal(isTimeZone(zone), true, zone);
    assert.equal(assertTimeZone('tz', zone), zone);
  }
  for (const zone of ['Mars/Olympus', '+02:00', ' UTC', '', 'Europe/../Paris']) {
    assert.equal(isTimeZone(zone), false, JSON.stringify(zone));
    assert.throws(
      () => assertTimeZone('tz', zone),
      (e) => isVigilError(e, 'INVALID_ARGUMENT') && e.field === 'tz' && e.message.includes(JSON.stringify(zone)),
    );
  }
});
