/**
 * Decides what retention deletes, from index rows alone (no I/O): by age,
 * then by disk quota, oldest first. A segment overlapping a lock of its
 * stream, or still being written, is never chosen; when that leaves a stream
 * over its quota, the stream is reported under `pressure` instead.
 */
import { overlapsLock } from './lock-intervals.js';

export interface RetentionPolicy {
  /** Delete segments that ended more than this long ago. */
  maxAgeUs?: number;
  /** Keep the stream's archive (all variants) at or under this many bytes. */
  quotaBytes?: number;
}

export interface RetentionSegment {
  id: number;
  stream: string;
  startUs: number;
  endUs: number;
  sizeBytes: number;
  closed: boolean;
}

export interface RetentionLock {
  stream: string;
  fromUs: number;
  durationUs: number;
}

export interface RetentionInput {
  segments: readonly RetentionSegment[];
  locks: readonly RetentionLock[];
  nowUs: number;
  /** Streams without a policy keep everything. */
  policies: ReadonlyMap<string, RetentionPolicy>;
}

export type RetentionReason = 'expired' | 'quota';

export interface RetentionDeletion {
  segmentId: number;
  stream: string;
  reason: RetentionReason;
}

export interface RetentionPressure {
  stream: string;
  quotaBytes: number;
  /** Bytes the stream still uses after the planned deletions. */
  usedBytes: number;
  /** Of those, bytes in segments kept because they overlap a lock. */
  lockedBytes: number;
}

export interface RetentionPlan {
  deletions: RetentionDeletion[];
  pressure: RetentionPressure[];
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const deletions: RetentionDeletion[] = [];
  const pressure: RetentionPressure[] = [];
  for (const [stream, policy] of [...input.policies].sort(([a], [b]) => a.localeCompare(b))) {
    const segments = input.segments
      .filter((s) => s.stream === stream)
      .sort((a, b) => a.startUs - b.startUs || a.id - b.id);
    const locks = input.locks.filter((l) => l.stream === stream);
    const isLocked = (s: RetentionSegment): boolean => locks.some((l) => overlapsLock(s.startUs, s.endUs, l));
    const deletable = (s: RetentionSegment): boolean => s.closed && !isLocked(s);
    const chosen = new Map<number, RetentionReason>();

    if (policy.maxAgeUs !== undefined) {
      const cutoffUs = input.nowUs - policy.maxAgeUs;
      for (const s of segments) if (s.endUs <= cutoffUs && deletable(s)) chosen.set(s.id, 'expired');
    }

    if (policy.quotaBytes !== undefined) {
      let usedBytes = segments.reduce((sum, s) => (chosen.has(s.id) ? sum : sum + s.sizeBytes), 0);
      for (const s of segments) {
        if (usedBytes <= policy.quotaBytes) break;
        if (chosen.has(s.id) || !deletable(s)) continue;
        chosen.set(s.id, 'quota');
        usedBytes -= s.sizeBytes;
      }
      if (usedBytes > policy.quotaBytes) {
        const lockedBytes = segments.reduce((sum, s) => (isLocked(s) ? sum + s.sizeBytes : sum), 0);
        pressure.push({ stream, quotaBytes: policy.quotaBytes, usedBytes, lockedBytes });
      }
    }

    for (const s of segments) {
      const reason = chosen.get(s.id);
      if (reason !== undefined) deletions.push({ segmentId: s.id, stream, reason });
    }
  }
  return { deletions, pressure };
}
