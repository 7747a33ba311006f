/**
 * Time inside Vigil is UTC microseconds since the Unix epoch, as a JS number
 * (exact up to 2^53 µs, about 285 years). APIs take Unix seconds (Flussonic
 * style) or ISO 8601; these helpers are the only place that converts.
 */
import { invalidArgument } from './errors.js';

export const US_PER_MS = 1_000;
export const US_PER_SECOND = 1_000_000;

export function nowUs(): number {
  return Date.now() * US_PER_MS;
}

export function secondsToUs(seconds: number): number {
  return Math.round(seconds * US_PER_SECOND);
}

export function usToSeconds(us: number): number {
  return us / US_PER_SECOND;
}

export function usToDate(us: number): Date {
  return new Date(Math.floor(us / US_PER_MS));
}

/** ISO 8601 with millisecond precision, UTC (`2026-11-21T10:00:00.000Z`). */
export function usToIso(us: number): string {
  return usToDate(us).toISOString();
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses a point in time given by a user: Unix seconds (integer or decimal,
 * as a number or a string) or ISO 8601 with a zone. Names `field` in the error.
 */
export function parseTimeToUs(value: unknown, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw invalidArgument(field, `expected Unix seconds (>= 0) or ISO 8601, got ${String(value)}`);
    }
    return secondsToUs(value);
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return secondsToUs(Number(trimmed));
    if (ISO_8601.test(trimmed)) {
      const ms = Date.parse(trimmed);
      if (!Number.isNaN(ms)) return ms * US_PER_MS;
    }
  }
  throw invalidArgument(
    field,
    `expected Unix seconds or ISO 8601 with a zone (e.g. 1700000000 or 2026-01-31T13:28:11Z), got ${JSON.stringify(value)}`,
  );
}

/** Parses a non-negative duration in seconds (number or numeric string). */
export function parseDurationToUs(value: unknown, field: string): number {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw invalidArgument(field, `expected a duration in seconds (>= 0), got ${JSON.stringify(value)}`);
  }
  return secondsToUs(n);
}

/** IANA-style names only: newer ICU builds also take offsets such as `+02:00`, which are not zones. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** Whether `value` is a time zone `Intl` knows under an IANA name (`UTC`, `Europe/Paris`). */
export function isTimeZone(value: string): boolean {
  if (!IANA_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** `value` when it is a time zone (see isTimeZone); else INVALID_ARGUMENT naming `field`. */
export function assertTimeZone(field: string, value: string): string {
  if (isTimeZone(value)) return value;
  throw invalidArgument(field, `expected an IANA time zone such as UTC or Europe/Paris, got ${JSON.stringify(value)}`);
}
