/** Interval arithmetic on locks: pure, so unlocking can be planned before the index changes. */

export interface Interval {
  fromUs: number;
  durationUs: number;
}

/**
 * Whether `[startUs, endUs)` overlaps the lock. A zero-length lock protects
 * the instant it names.
 */
export function overlapsLock(startUs: number, endUs: number, lock: Interval): boolean {
  const lockEnd = Math.max(lock.fromUs + lock.durationUs, lock.fromUs + 1);
  return lock.fromUs < endUs && startUs < lockEnd;
}

/**
 * Plans unlocking `[fromUs, fromUs + durationUs)`: which locks to drop and the
 * pieces of them (trimmed, or split in two) that stay locked.
 */
export function planUnlock<L extends Interval & { id: number }>(
  locks: readonly L[],
  fromUs: number,
  durationUs: number,
): { deleteIds: number[]; keep: Array<{ lock: L; fromUs: number; durationUs: number }> } {
  const toUs = fromUs + durationUs;
  const deleteIds: number[] = [];
  const keep: Array<{ lock: L; fromUs: number; durationUs: number }> = [];
  for (const lock of locks) {
    const lockEnd = lock.fromUs + lock.durationUs;
    if (!unlockTouches(fromUs, toUs, lock)) continue;
    deleteIds.push(lock.id);
    if (lock.fromUs < fromUs) keep.push({ lock, fromUs: lock.fromUs, durationUs: fromUs - lock.fromUs });
    if (lockEnd > toUs) keep.push({ lock, fromUs: toUs, durationUs: lockEnd - toUs });
  }
  return { deleteIds, keep };
}

function unlockTouches(fromUs: number, toUs: number, lock: Interval): boolean {
  // Unlocking an instant removes only a lock on that very instant.
  if (toUs === fromUs) return lock.durationUs === 0 && lock.fromUs === fromUs;
  if (lock.durationUs === 0) return fromUs <= lock.fromUs && lock.fromUs < toUs;
  return lock.fromUs < toUs && fromUs < lock.fromUs + lock.durationUs;
}
