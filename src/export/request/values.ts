/**
 * Readers for single request values. A request arrives as JSON (or from a
 * library caller who may not use TypeScript), so every field is checked at
 * run time; `null` counts as absent, as JSON clients often send it.
 */
import { invalidArgument } from '../../errors.js';

const MAX_SHOWN_CHARS = 120;

/** A value as it appears in an error message: JSON, cut short (a request can hold megabytes). */
export function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidArgument(field, `expected a string, got ${show(value)}`);
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidArgument(field, `expected true or false, got ${show(value)}`);
  return value;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** A finite number, or a string holding one (query strings and form posts send strings). */
export function optionalNumber(value: unknown, field: string, allowed: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  throw invalidArgument(field, `expected ${allowed}, got ${show(value)}`);
}

/** Lower case, trimmed, inner runs of blanks as one space: how the reference compares codec names. */
export function foldName(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}
