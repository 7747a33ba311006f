/** Publish keys: read from a publisher's query and compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The single value of `name` in a parsed query; a repeated or absent one is undefined. */
export function queryValue(query: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether `given` is the key. Both sides are hashed first so the comparison
 * takes the same time whatever their lengths and wherever they differ.
 */
export function publishKeyMatches(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined || expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
