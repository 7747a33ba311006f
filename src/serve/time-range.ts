/** `{from, duration}` from a request body, checked and turned into UTC µs. */
import { invalidArgument } from '../errors.js';
import { parseDurationToUs, parseTimeToUs } from '../time.js';

export interface TimeRangeUs {
  fromUs: number;
  durationUs: number;
}

export function parseTimeRange(body: { from: unknown; duration: unknown }): TimeRangeUs {
  const fromUs = parseTimeToUs(body.from, 'from');
  const durationUs = parseDurationToUs(body.duration, 'duration');
  if (durationUs === 0) throw invalidArgument('duration', 'expected a duration in seconds (> 0), got 0');
  return { fromUs, durationUs };
}
