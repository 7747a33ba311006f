/**
 * A stream's archive usage, from the index only: depth (oldest and newest
 * recorded instants), bytes on disk, bytes that locks keep from retention,
 * and the share of its disk quota in use. The same rules as retention: a
 * stream's own `disk_limit` and `expiration` win over the global ones, and a
 * segment counts as locked when any lock overlaps it.
 */
import type { LockRecord, SegmentRecord } from '../archive/types.js';
import type { StreamDefinition, Variant } from '../config/stream-types.js';
import { overlapsLock } from '../archive/lock-intervals.js';

export interface DvrUsageArchive {
  getStream(name: string): Promise<StreamDefinition | undefined>;
  depth(stream: string): Promise<{ fromUs?: number; toUs?: number; sizeBytes: number; segments: number }>;
  listLocks(stream: string): Promise<Pick<LockRecord, 'fromUs' | 'durationUs'>[]>;
  segmentsInRange(stream: string, variant: Variant, fromUs: number, toUs: number): Promise<SegmentRecord[]>;
}

export interface DvrDefaults {
  diskLimitBytes?: number;
  expirationSeconds?: number;
}

export interface DvrUsage {
  /** Unix seconds; null when nothing is recorded. */
  from: number | null;
  to: number | null;
  /** Seconds between the oldest and newest recorded instants (gaps included). */
  depth: number;
  segments: number;
  size_bytes: number;
  locked_bytes: number;
  locks: number;
  /** Bytes; null when neither the stream nor the config sets a limit. */
  disk_limit: number | null;
  /** size_bytes / disk_limit (may pass 1 while only locked or open segments are left). */
  quota_used: number | null;
  /** Seconds; null when recordings never expire. */
  expiration: number | null;
}

const VARIANTS: readonly Variant[] = ['main', 'sub'];

export async function dvrUsage(archive: DvrUsageArchive, name: string, defaults: DvrDefaults): Promise<DvrUsage> {
  const def = await archive.getStream(name);
  const depth = await archive.depth(name);
  const locks = await archive.listLocks(name);
  const locked = new Map<number, number>();
  for (const lock of locks) {
    const toUs = Math.max(lock.fromUs + lock.durationUs, lock.fromUs + 1);
    for (const variant of VARIANTS) {
      for (const s of await archive.segmentsInRange(name, variant, lock.fromUs, toUs)) {
        if (overlapsLock(s.startUs, s.endUs, lock)) locked.set(s.id, s.sizeBytes);
      }
    }
  }
  const diskLimit = def?.dvr.diskLimitBytes ?? defaults.diskLimitBytes ?? null;
  const fromUs = depth.fromUs;
  const toUs = depth.toUs;
  return {
    from: fromUs === undefined ? null : fromUs / 1e6,
    to: toUs === undefined ? null : toUs / 1e6,
    depth: fromUs === undefined || toUs === undefined ? 0 : (toUs - fromUs) / 1e6,
    segments: depth.segments,
    size_bytes: depth.sizeBytes,
    locked_bytes: [...locked.values()].reduce((a, b) => a + b, 0),
    locks: locks.length,
    disk_limit: diskLimit,
    quota_used: diskLimit === null || diskLimit === 0 ? null : depth.sizeBytes / diskLimit,
    expiration: def?.dvr.expirationSeconds ?? defaults.expirationSeconds ?? null,
  };
}
