/**
 * Watermarks and figures as drawtext/drawbox filters (pure).
 *
 * Each frame must show its own wall-clock time, and the input has its gaps
 * collapsed: a piece that starts at input second `outputStartS` shows
 * `utcStartMs` there. drawtext's `%{pts:gmtime:OFFSET:…}` prints pts + OFFSET,
 * so one drawtext per piece, enabled only inside it, with OFFSET = the piece's
 * UTC start − its input start + the zone's UTC offset. The zone offset is
 * looked up here (Intl, no system tzdata needed in the child), and a piece is
 * split where the offset changes (DST), so each drawtext keeps one offset.
 */
import { invalidArgument } from '../../errors.js';
import { filterCall, formatNumber } from './filter-syntax.js';
import type { Figure, TimestampWatermark, WallClockPiece, WatermarkAlign } from './types.js';

/** Zone offsets are probed this far apart; no zone changes its offset twice within 6 hours. */
const OFFSET_PROBE_STEP_MS = 6 * 3_600_000;
const TIME_FORMAT = '%Y-%m-%d %H:%M:%S';

export interface TextLayout {
  /** Output picture size, after scale and rotation. */
  width: number;
  height: number;
  align: WatermarkAlign;
  fontFile: string;
}

/** A piece with a constant zone offset, as one drawtext instance shows it. */
export interface ClockSpan {
  startS: number;
  /** Undefined for the last span (it runs to the end). */
  endS: number | undefined;
  /** Seconds to add to the input time to get local wall-clock seconds since the epoch. */
  offsetS: number;
}

/**
 * The spans of constant offset covering the input: from the pieces (in input
 * order) and the input's duration, split at the zone's offset changes.
 */
export function planClockSpans(watermark: TimestampWatermark, durationS: number): ClockSpan[] {
  const { pieces, timeZone } = watermark;
  const formatter = zoneFormatter(timeZone);
  const spans: ClockSpan[] = [];
  pieces.forEach((piece, i) => {
    const next: WallClockPiece | undefined = pieces[i + 1];
    const endS = next?.outputStartS ?? Math.max(durationS, piece.outputStartS);
    const endUtcMs = piece.utcStartMs + (endS - piece.outputStartS) * 1000;
    let fromUtcMs = piece.utcStartMs;
    for (const changeUtcMs of offsetChanges(formatter, piece.utcStartMs, endUtcMs)) {
      spans.push(spanOf(formatter, piece, fromUtcMs, changeUtcMs));
      fromUtcMs = changeUtcMs;
    }
    spans.push(spanOf(formatter, piece, fromUtcMs, next === undefined ? undefined : endUtcMs));
  });
  return spans;
}

function spanOf(
  formatter: Intl.DateTimeFormat,
  piece: WallClockPiece,
  fromUtcMs: number,
  toUtcMs: number | undefined,
): ClockSpan {
  const toInputS = (utcMs: number): number => piece.outputStartS + (utcMs - piece.utcStartMs) / 1000;
  return {
    startS: toInputS(fromUtcMs),
    endS: toUtcMs === undefined ? undefined : toInputS(toUtcMs),
    offsetS: (fromUtcMs + zoneOffsetMs(formatter, fromUtcMs)) / 1000 - toInputS(fromUtcMs),
  };
}

/** drawtext filters for the channel name (line 1) and the clock (line 2, or 1 without a name). */
export function buildTextFilters(
  channelName: string | undefined,
  clock: ClockSpan[] | undefined,
  layout: TextLayout,
): string[] {
  const lines = (channelName === undefined ? 0 : 1) + (clock === undefined ? 0 : 1);
  const fontSize = Math.max(10, Math.round(layout.height / 24));
  const margin = Math.round(fontSize / 2);
  const lineStep = Math.round(fontSize * 1.5);
  const boxBorder = Math.max(1, Math.round(fontSize / 5));
  const right = layout.align === 2 || layout.align === 4;
  const bottom = layout.align === 3 || layout.align === 4;
  const at = (line: number): Array<[string, string | number]> => [
    ['x', right ? `w-tw-${margin}` : margin],
    ['y', bottom ? `h-${margin + (lines - line) * lineStep - boxBorder}` : margin + boxBorder + line * lineStep],
  ];
  const style: Array<[string, string | number]> = [
    ['fontfile', layout.fontFile],
    ['fontsize', fontSize],
    ['fontcolor', 'white'],
    ['box', 1],
    ['boxcolor', 'black@0.5'],
    ['boxborderw', boxBorder],
  ];
  const filters: string[] = [];
  if (channelName !== undefined) {
    filters.push(filterCall('drawtext', [...style, ...at(0), ['expansion', 'none'], ['text', channelName]]));
  }
  if (clock !== undefined) {
    const line = channelName === undefined ? 0 : 1;
    clock.forEach((span, i) => {
      const text = `%{pts:gmtime:${formatNumber(span.offsetS)}:${TIME_FORMAT.replace(/:/g, '\\:')}}`;
      filters.push(
        filterCall('drawtext', [...style, ...at(line), ['text', text], ['enable', spanEnable(span, i === 0)]]),
      );
    });
  }
  return filters;
}

/** The first span also covers frames before it (pre-roll); spans meet without overlap. */
function spanEnable(span: ClockSpan, first: boolean): string | undefined {
  const from = first ? undefined : `gte(t,${formatNumber(span.startS)})`;
  const to = span.endS === undefined ? undefined : `lt(t,${formatNumber(span.endS)})`;
  if (from !== undefined && to !== undefined) return `${from}*${to}`;
  return from ?? to;
}

/** drawbox filters for the figures, in pixels of a `width`×`height` picture (before flip/rotate). */
export function buildFigureFilters(figures: readonly Figure[], width: number, height: number): string[] {
  const thickness = Math.max(2, Math.round(Math.min(width, height) / 180));
  return figures.map((f) => {
    const x = Math.round(f.x * width);
    const y = Math.round(f.y * height);
    return filterCall('drawbox', [
      ['x', x],
      ['y', y],
      ['w', Math.max(1, Math.min(width - x, Math.round(f.w * width)))],
      ['h', Math.max(1, Math.min(height - y, Math.round(f.h * height)))],
      ['color', 'red'],
      ['t', thickness],
      ['enable', `between(t,${formatNumber(f.startS)},${formatNumber(f.endS)})`],
    ]);
  });
}

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw invalidArgument(
      'options.timestampWatermark.timeZone',
      `expected an IANA time zone such as "Europe/Berlin", got ${JSON.stringify(timeZone)}`,
    );
  }
}

/** Local minus UTC at `utcMs`, in ms (whole seconds: the instant's milliseconds are dropped on both sides). */
export function zoneOffsetMs(formatter: Intl.DateTimeFormat, utcMs: number): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(whole)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const local = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return local - whole;
}

/** Instants (UTC ms, whole seconds) in (fromMs, toMs) where the zone's offset changes. */
function offsetChanges(formatter: Intl.DateTimeFormat, fromMs: number, toMs: number): number[] {
  const changes: number[] = [];
  let lo = fromMs;
  let loOffset = zoneOffsetMs(formatter, lo);
  while (lo < toMs) {
    const hi = Math.min(toMs, lo + OFFSET_PROBE_STEP_MS);
    const hiOffset = zoneOffsetMs(formatter, hi);
    if (hiOffset !== loOffset) {
      // Narrow to the first whole second that has the new offset.
      let a = Math.floor(lo / 1000);
      let b = Math.floor(hi / 1000);
      while (b - a > 1) {
        const mid = Math.floor((a + b) / 2);
        if (zoneOffsetMs(formatter, mid * 1000) === loOffset) a = mid;
        else b = mid;
      }
      if (b * 1000 > fromMs && b * 1000 < toMs) changes.push(b * 1000);
    }
    lo = hi;
    loOffset = hiOffset;
  }
  return changes;
}
