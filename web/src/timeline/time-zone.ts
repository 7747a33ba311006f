/**
 * Wall-clock time in an IANA zone through Intl only (no tz database of our
 * own): a UTC instant's local fields, a zone's offset, local fields back to an
 * instant, and local days, which last 23 or 25 hours when the clocks change.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const fieldFormats = new Map<string, Intl.DateTimeFormat>();

function fieldFormat(timeZone: string): Intl.DateTimeFormat {
  let format = fieldFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    fieldFormats.set(timeZone, format);
  }
  return format;
}

/** The browser's zone, or UTC where the platform does not say. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    fieldFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local fields of `tMs` in `timeZone` (seconds are floored; milliseconds are dropped). */
export function wallClockAt(tMs: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of fieldFormat(timeZone).formatToParts(new Date(tMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 1970,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

/** The wall clock read as if it were UTC: the arithmetic the offsets are computed with. */
export function wallClockAsUtcMs(wc: WallClock): number {
  return Date.UTC(wc.year, wc.month - 1, wc.day, wc.hour, wc.minute, wc.second);
}

/** Local minus UTC at `tMs`: +3 600 000 for Berlin in winter. */
export function zoneOffsetMs(tMs: number, timeZone: string): number {
  const wholeSecondMs = Math.floor(tMs / SECOND_MS) * SECOND_MS;
  return wallClockAsUtcMs(wallClockAt(wholeSecondMs, timeZone)) - wholeSecondMs;
}

/**
 * The instant a wall clock in `timeZone` shows `wc`. A time that happens twice
 * (clocks going back) is the earlier one; a time that never happens (clocks
 * going forward) moves forward by the jump, as a person resetting a watch would.
 */
export function wallClockToUtcMs(wc: WallClock, timeZone: string): number {
  const asUtc = wallClockAsUtcMs(wc);
  // Offsets half a day either side of the guess bracket any transition near it (they are > 24 h apart).
  const before = asUtc - zoneOffsetMs(asUtc - DAY_MS / 2, timeZone);
  const after = asUtc - zoneOffsetMs(asUtc + DAY_MS / 2, timeZone);
  const candidates = [before, after].filter((t) => wallClockAsUtcMs(wallClockAt(t, timeZone)) === asUtc);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the earlier offset carries the time past the jump.
  return Math.max(before, after);
}

/** Local midnight (the first instant of the local day) that contains `tMs`. */
export function startOfLocalDay(tMs: number, timeZone: string): number {
  const wc = wallClockAt(tMs, timeZone);
  return wallClockToUtcMs({ ...wc, hour: 0, minute: 0, second: 0 }, timeZone);
}

/** The first instant of the local day `days` after the one that holds `tMs` (negative: before). */
export function addLocalDays(tMs: number, days: number, timeZone: string): number {
  const wc = wallClockAt(tMs, timeZone);
  const shifted = new Date(Date.UTC(wc.year, wc.month - 1, wc.day + days));
  return wallClockToUtcMs(
    {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: 0,
      minute: 0,
      second: 0,
    },
    timeZone,
  );
}

/** How long the local day holding `tMs` lasts: 24 h, or 23 h / 25 h on the days clocks change. */
export function localDayLengthMs(tMs: number, timeZone: string): number {
  return addLocalDays(tMs, 1, timeZone) - startOfLocalDay(tMs, timeZone);
}

/** Days since 1970-01-01 of the local date (for every-other-day ticks that stay put when panning). */
export function localDayNumber(tMs: number, timeZone: string): number {
  const wc = wallClockAt(tMs, timeZone);
  return Math.round(Date.UTC(wc.year, wc.month - 1, wc.day) / DAY_MS);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-03-29 01:59:59` in `timeZone`: what the range inputs show and take. */
export function formatLocalDateTime(tMs: number, timeZone: string): string {
  const wc = wallClockAt(tMs, timeZone);
  return `${pad(wc.year, 4)}-${pad(wc.month)}-${pad(wc.day)} ${pad(wc.hour)}:${pad(wc.minute)}:${pad(wc.second)}`;
}

const LOCAL_DATE_TIME = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/;

/** Reads `YYYY-MM-DD HH:mm[:ss]` as a wall clock in `timeZone`; undefined when it is not one. */
export function parseLocalDateTime(text: string, timeZone: string): number | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCDate() !== day) return undefined;
  return wallClockToUtcMs({ year, month, day, hour, minute, second }, timeZone);
}
