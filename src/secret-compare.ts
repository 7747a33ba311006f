/**
 * One constant-time comparison for every secret a request presents (admin
 * token, CSRF token, publish key). Both sides are hashed first, so the
 * comparison takes the same time whatever their lengths and wherever they
 * differ. A missing or empty expected secret matches nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined || expected === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
