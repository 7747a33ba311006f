/**
 * Tick marks for the timeline in a time zone: the step is chosen from the
 * pixels available, and ticks fall on round wall-clock times (00:00, 06:00,
 * :15…), so a 25-hour day has 25 hour ticks and a 23-hour day 23.
 */
import type { TimeWindow } from './time-window.js';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  addLocalDays,
  localDayNumber,
  startOfLocalDay,
  wallClockAt,
  wallClockToUtcMs,
  zoneOffsetMs,
} from './time-zone.js';

export interface Tick {
  tMs: number;
  label: string;
  /** Local midnight: drawn taller, labelled with the date. */
  major: boolean;
}

/** Candidate steps, smallest first. Steps of a day or more count local days, not 24-hour blocks. */
export const TICK_STEPS_MS = [
  SECOND_MS,
  5 * SECOND_MS,
  10 * SECOND_MS,
  15 * SECOND_MS,
  30 * SECOND_MS,
  MINUTE_MS,
  2 * MINUTE_MS,
  5 * MINUTE_MS,
  10 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
  2 * DAY_MS,
  7 * DAY_MS,
] as const;

/** The smallest step whose ticks are at least `minSpacingPx` apart. */
export function chooseTickStepMs(spanMs: number, widthPx: number, minSpacingPx = 70): number {
  const msPerPx = spanMs / Math.max(1, widthPx);
  return TICK_STEPS_MS.find((step) => step / msPerPx >= minSpacingPx) ?? 7 * DAY_MS;
}

/** Instants within the hour-or-shorter grid of `stepMs` on the local clock, in `[start, end]`. */
function subHourTicks(window: TimeWindow, stepMs: number, timeZone: string): number[] {
  const out: number[] = [];
  const aligned = (t: number): number => {
    const local = t + zoneOffsetMs(t, timeZone);
    const off = ((local % stepMs) + stepMs) % stepMs;
    return off === 0 ? t : t - off;
  };
  let t = aligned(Math.floor(window.startMs / SECOND_MS) * SECOND_MS);
  if (t < window.startMs) t = aligned(t + stepMs);
  // Guard against an offset change that moves an aligned instant back onto itself.
  while (t <= window.endMs) {
    if (t >= window.startMs && out[out.length - 1] !== t) out.push(t);
    const next = aligned(t + stepMs);
    t = next > t ? next : t + stepMs;
  }
  return out;
}

/** Whole local hours divisible by `stepMs` (2 h … 12 h), resolved day by day so DST days keep round labels. */
function multiHourTicks(window: TimeWindow, stepMs: number, timeZone: string): number[] {
  const stepHours = stepMs / HOUR_MS;
  const out: number[] = [];
  for (let day = startOfLocalDay(window.startMs, timeZone); day <= window.endMs; day = addLocalDays(day, 1, timeZone)) {
    const wc = wallClockAt(day, timeZone);
    for (let hour = 0; hour < 24; hour += stepHours) {
      const t = wallClockToUtcMs({ ...wc, hour, minute: 0, second: 0 }, timeZone);
      // A time inside a spring-forward gap resolves past the jump: that hour is not on the grid.
      if (wallClockAt(t, timeZone).hour !== hour) continue;
      if (t >= window.startMs && t <= window.endMs && out[out.length - 1] !== t) out.push(t);
    }
  }
  return out;
}

/** Local midnights; every other day or Mondays only for the wider steps. */
function dayTicks(window: TimeWindow, stepMs: number, timeZone: string): number[] {
  const out: number[] = [];
  for (let day = startOfLocalDay(window.startMs, timeZone); day <= window.endMs; day = addLocalDays(day, 1, timeZone)) {
    if (day < window.startMs) continue;
    const dayNumber = localDayNumber(day, timeZone);
    // 1970-01-01 was a Thursday: day 4 is a Monday.
    if (stepMs === 2 * DAY_MS && dayNumber % 2 !== 0) continue;
    if (stepMs === 7 * DAY_MS && (((dayNumber - 4) % 7) + 7) % 7 !== 0) continue;
    out.push(day);
  }
  return out;
}

export function tickInstants(window: TimeWindow, stepMs: number, timeZone: string): number[] {
  if (stepMs <= HOUR_MS) return subHourTicks(window, stepMs, timeZone);
  if (stepMs < DAY_MS) return multiHourTicks(window, stepMs, timeZone);
  return dayTicks(window, stepMs, timeZone);
}

const labelFormats = new Map<string, Intl.DateTimeFormat>();

function labelFormat(kind: 'date' | 'minutes' | 'seconds', timeZone: string, locale?: string): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}|${locale ?? ''}`;
  let format = labelFormats.get(key);
  if (format === undefined) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'date'
        ? { timeZone, weekday: 'short', day: 'numeric', month: 'short' }
        : {
            timeZone,
            hourCycle: 'h23',
            hour: '2-digit',
            minute: '2-digit',
            ...(kind === 'seconds' ? { second: '2-digit' } : {}),
          };
    format = new Intl.DateTimeFormat(locale, options);
    labelFormats.set(key, format);
  }
  return format;
}

export function isLocalMidnight(tMs: number, timeZone: string): boolean {
  const wc = wallClockAt(tMs, timeZone);
  return wc.hour === 0 && wc.minute === 0 && wc.second === 0 && tMs % SECOND_MS === 0;
}

/** Ticks for `window` drawn `widthPx` wide, labelled in `timeZone` (`locale`: the browser's by default). */
export function generateTicks(
  window: TimeWindow,
  widthPx: number,
  timeZone: string,
  options: { minSpacingPx?: number; locale?: string } = {},
): Tick[] {
  const stepMs = chooseTickStepMs(window.endMs - window.startMs, widthPx, options.minSpacingPx);
  const kind = stepMs < MINUTE_MS ? 'seconds' : 'minutes';
  return tickInstants(window, stepMs, timeZone).map((tMs) => {
    const major = isLocalMidnight(tMs, timeZone);
    return {
      tMs,
      major,
      label: labelFormat(major || stepMs >= DAY_MS ? 'date' : kind, timeZone, options.locale).format(tMs),
    };
  });
}

/** The instant's wall-clock hour and minute, for tests and tooltips that need the numbers. */
export function localHourMinute(tMs: number, timeZone: string): string {
  const wc = wallClockAt(tMs, timeZone);
  return `${String(wc.hour).padStart(2, '0')}:${String(wc.minute).padStart(2, '0')}`;
}
