/**
 * The time range of an export: start, then end or duration (60 s when
 * neither), refused when empty, reversed, longer than the media routes allow,
 * or starting in the future.
 */
import { invalidArgument } from '../../errors.js';
import { MAX_RANGE_SECONDS } from '../limits.js';
import { parseDurationToUs, parseTimeToUs, US_PER_SECOND, usToIso } from '../../time.js';

export const DEFAULT_DURATION_SECONDS = 60;
export { MAX_RANGE_SECONDS };

export interface RangeInput {
  start: unknown;
  end: unknown;
  duration: unknown;
}

const present = (value: unknown): boolean => value !== undefined && value !== null;

export function normalizeRange(input: RangeInput, nowUs: number): { fromUs: number; toUs: number } {
  if (!present(input.start)) {
    throw invalidArgument('start', 'required: Unix seconds or ISO 8601 with a zone (e.g. 2026-01-31T13:28:11Z)');
  }
  const fromUs = parseTimeToUs(input.start, 'start');
  if (fromUs > nowUs) {
    throw invalidArgument(
      'start',
      `is in the future (${usToIso(fromUs)}, now is ${usToIso(nowUs)}): only recorded time can be exported`,
    );
  }
  const durationUs = present(input.duration) ? parseDurationToUs(input.duration, 'duration') : undefined;
  if (durationUs === 0) throw invalidArgument('duration', 'expected seconds greater than 0, got 0');
  let toUs: number;
  let field: 'end' | 'duration';
  if (present(input.end)) {
    toUs = parseTimeToUs(input.end, 'end');
    field = 'end';
    if (toUs <= fromUs) {
      throw invalidArgument('end', `must be after start (${usToIso(fromUs)}), got ${usToIso(toUs)}`);
    }
    // The reference silently prefers the end; two values that disagree are more likely a mistake than a wish.
    if (durationUs !== undefined && durationUs !== toUs - fromUs) {
      throw invalidArgument(
        'duration',
        `${durationUs / US_PER_SECOND} s disagrees with end - start = ${(toUs - fromUs) / US_PER_SECOND} s; send one of them`,
      );
    }
  } else {
    toUs = fromUs + (durationUs ?? DEFAULT_DURATION_SECONDS * US_PER_SECOND);
    field = 'duration';
  }
  if (toUs - fromUs > MAX_RANGE_SECONDS * US_PER_SECOND) {
    throw invalidArgument(
      field,
      `the range is ${(toUs - fromUs) / US_PER_SECOND} s; at most ${MAX_RANGE_SECONDS} s (7 days) per export, ` +
        'ask for the range in pieces',
    );
  }
  return { fromUs, toUs };
}
