/**
 * What makes a stream event valid (pure). Field names in the errors are the
 * wire names (`end`, `boxes[2].x`), so the HTTP API and the library report the
 * same thing.
 */
import { invalidArgument } from '../errors.js';
import type { EventBox, EventSeverity, NewStreamEvent } from './types.js';

/** Lowest first. */
export const EVENT_SEVERITIES: readonly EventSeverity[] = ['info', 'warning', 'alert', 'critical'];

/**
 * A label becomes a chapter title (`Critical: ` + label), and a chpl title holds 255 bytes.
 * An event longer than a day is a state, not an event; the bound also lets a range query use
 * the (stream, start) index alone. One drawbox filter per box: a bound keeps a transcode's graph small.
 */
export const EVENT_LIMITS = { labelMaxChars: 200, maxBoxes: 100, maxDurationUs: 24 * 3600 * 1_000_000 } as const;

/** `Alert` for `alert`: how a chapter title names the severity. */
export function severityTitle(severity: EventSeverity): string {
  return severity.charAt(0).toUpperCase() + severity.slice(1);
}

/** A severity as a user writes it, in any case. */
export function parseSeverity(value: unknown, field = 'severity'): EventSeverity {
  const folded = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const found = EVENT_SEVERITIES.find((s) => s === folded);
  if (found === undefined) {
    throw invalidArgument(field, `expected one of ${EVENT_SEVERITIES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return found;
}

function checkTime(us: number, field: string): void {
  if (!Number.isSafeInteger(us) || us < 0) throw invalidArgument(field, `expected a non-negative time, got ${us}`);
}

function checkFraction(value: number, field: string): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw invalidArgument(field, `expected a fraction of the picture from 0 to 1, got ${value}`);
  }
}

function checkBox(box: EventBox, startUs: number, endUs: number, field: string): void {
  checkTime(box.tUs, `${field}.t`);
  if (box.tUs < startUs || box.tUs > endUs) {
    throw invalidArgument(`${field}.t`, `expected a time within the event (start to end), got ${box.tUs} µs`);
  }
  checkFraction(box.x, `${field}.x`);
  checkFraction(box.y, `${field}.y`);
  checkFraction(box.w, `${field}.w`);
  checkFraction(box.h, `${field}.h`);
  if (box.w === 0 || box.h === 0) throw invalidArgument(`${field}.w`, 'expected a box with a width and a height > 0');
  // A tiny tolerance: fractions computed as pixel/size may round just past 1.
  if (box.x + box.w > 1 + 1e-9) {
    throw invalidArgument(
      `${field}.w`,
      `x + w must be at most 1 (the box ends inside the picture), got ${box.x + box.w}`,
    );
  }
  if (box.y + box.h > 1 + 1e-9) {
    throw invalidArgument(
      `${field}.h`,
      `y + h must be at most 1 (the box ends inside the picture), got ${box.y + box.h}`,
    );
  }
}

/** Checks an event and returns it normalized: label trimmed, boxes ordered by time. */
export function checkNewEvent(event: NewStreamEvent): NewStreamEvent & { boxes: EventBox[] } {
  checkTime(event.startUs, 'start');
  checkTime(event.endUs, 'end');
  if (event.endUs < event.startUs) {
    throw invalidArgument(
      'end',
      `expected an end at or after the start, got ${event.endUs - event.startUs} µs before it`,
    );
  }
  if (event.endUs - event.startUs > EVENT_LIMITS.maxDurationUs) {
    throw invalidArgument('end', `an event lasts at most 24 hours, got ${(event.endUs - event.startUs) / 1e6} s`);
  }
  const label = typeof event.label === 'string' ? event.label.trim() : '';
  if (label === '') throw invalidArgument('label', `expected a non-empty text, got ${JSON.stringify(event.label)}`);
  if ([...label].length > EVENT_LIMITS.labelMaxChars) {
    throw invalidArgument(
      'label',
      `expected at most ${EVENT_LIMITS.labelMaxChars} characters, got ${[...label].length}`,
    );
  }
  if (/\p{Cc}/u.test(label)) {
    throw invalidArgument('label', 'expected one line of text without control characters');
  }
  const severity = parseSeverity(event.severity);
  const boxes = event.boxes ?? [];
  if (boxes.length > EVENT_LIMITS.maxBoxes) {
    throw invalidArgument('boxes', `expected at most ${EVENT_LIMITS.maxBoxes} boxes, got ${boxes.length}`);
  }
  boxes.forEach((b, i) => checkBox(b, event.startUs, event.endUs, `boxes[${i}]`));
  const sorted = boxes.map((b) => ({ tUs: b.tUs, x: b.x, y: b.y, w: b.w, h: b.h })).sort((a, b) => a.tUs - b.tUs);
  return { stream: event.stream, startUs: event.startUs, endUs: event.endUs, label, severity, boxes: sorted };
}
