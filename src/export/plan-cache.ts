/**
 * What planning can reuse between requests, bounded by memory:
 *
 * - the parsed samples of closed segments (a closed segment never changes), so
 *   a second export over the same segments reads no moof again;
 * - whole plans (selection + layout) whose inputs are all closed segments: a
 *   player seeking through a download sends many Range requests for one URL,
 *   and each would otherwise plan the file again.
 *
 * Keys name everything the cached value depends on, so a value is never served
 * for inputs that changed: a segment still being written is never cached, and a
 * segment that is deleted, re-indexed or grown gets a different key.
 */
import { createHash } from 'node:crypto';
import type { SegmentRecord } from '../archive/types.js';
import { invalidArgument } from '../errors.js';
import { ByteLru, type ByteLruStats } from './plan-cache-lru.js';
import { requestIdentity } from './plan-export.js';
import type { SegmentSamples } from './sample-columns.js';
import type { SelectOptions } from './select-samples.js';
import type { ExportContainer, ExportRequest, MetadataOptions, SampleSelection, VirtualFileLayout } from './types.js';

export const DEFAULT_SEGMENT_CACHE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_PLAN_CACHE_BYTES = 64 * 1024 * 1024;

export interface PlanCacheOptions {
  /** Budget for parsed segment samples (default 64 MiB; an hour of 1080p25 + AAC is about 1 MiB). */
  segmentBytes?: number;
  /** Budget for whole plans: their generated headers and selections (default 64 MiB). */
  planBytes?: number;
}

/** A plan as the cache keeps it: everything but the servable file, which holds per-response counters. */
export interface CachedPlan {
  selection: SampleSelection;
  /** The layout of an MP4 or fMP4 output (a TS file is made from the selection). */
  layout: VirtualFileLayout | undefined;
}

export interface PlanCacheStats {
  segments: ByteLruStats;
  plans: ByteLruStats;
}

/** Fixed cost of a cached plan beyond its arrays and header bytes. */
const PLAN_OVERHEAD_BYTES = 4096;
/** Rough cost of one layout part (a small object) or fMP4 fragment entry. */
const PART_BYTES = 96;

export class PlanCache {
  readonly #segments: ByteLru<string, SegmentSamples>;
  readonly #plans: ByteLru<string, CachedPlan>;
  readonly #making = new Map<string, Promise<CachedPlan>>();

  constructor(options: PlanCacheOptions = {}) {
    this.#segments = new ByteLru(budget('segmentBytes', options.segmentBytes, DEFAULT_SEGMENT_CACHE_BYTES));
    this.#plans = new ByteLru(budget('planBytes', options.planBytes, DEFAULT_PLAN_CACHE_BYTES));
  }

  segmentSamples(segment: SegmentRecord): SegmentSamples | undefined {
    return segment.closed ? this.#segments.get(segmentKey(segment)) : undefined;
  }

  /** Keeps a closed segment's samples; an open one keeps growing, so its samples are not kept. */
  keepSegmentSamples(segment: SegmentRecord, samples: SegmentSamples): void {
    if (segment.closed) this.#segments.set(segmentKey(segment), samples, samples.sizeBytes);
  }

  /**
   * The key of a plan over these index rows, or undefined when it must not be cached (a segment is
   * still being written, so the same URL will soon give other bytes).
   */
  planKey(
    segments: readonly SegmentRecord[],
    request: ExportRequest,
    container: ExportContainer,
    meta: MetadataOptions,
    options: SelectOptions,
  ): string | undefined {
    if (segments.some((s) => !s.closed)) return undefined;
    const hash = createHash('sha256');
    for (const s of segments) hash.update(`${segmentKey(s)}\n`);
    hash.update(JSON.stringify([...requestIdentity(request, container, meta), options.gapToleranceUs ?? null]));
    return hash.digest('base64url');
  }

  /**
   * The plan for `key`: the cached one, the one another request is making (a player's parallel
   * Range requests plan once), or a new one from `make`, kept for the next request.
   */
  async planFor(key: string, make: () => Promise<CachedPlan>): Promise<CachedPlan> {
    const cached = this.#plans.get(key);
    if (cached !== undefined) return cached;
    const pending = this.#making.get(key);
    if (pending !== undefined) return pending;
    const making = make();
    this.#making.set(key, making);
    try {
      const plan = await making;
      this.#plans.set(key, plan, planBytes(plan));
      return plan;
    } finally {
      this.#making.delete(key);
    }
  }

  stats(): PlanCacheStats {
    return { segments: this.#segments.stats(), plans: this.#plans.stats() };
  }
}

function budget(field: string, given: number | undefined, fallback: number): number {
  const bytes = given ?? fallback;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw invalidArgument(field, `expected a byte count ≥ 0, got ${given}`);
  }
  return bytes;
}

/** Everything a segment's parsed samples depend on (an id alone could be reused after a purge). */
function segmentKey(s: SegmentRecord): string {
  return `${s.id}:${s.sizeBytes}:${s.closed ? 1 : 0}:${s.startUs}:${s.root}:${s.path}`;
}

function planBytes(plan: CachedPlan): number {
  let bytes = PLAN_OVERHEAD_BYTES;
  for (const t of plan.selection.tracks) {
    for (const c of [
      t.decodeTicks,
      t.durationTicks,
      t.compositionOffsetTicks,
      t.sizeBytes,
      t.isSync,
      t.fileIndex,
      t.fileOffset,
    ]) {
      bytes += c.byteLength;
    }
  }
  for (const part of plan.layout?.parts ?? []) bytes += part.kind === 'bytes' ? part.data.byteLength : PART_BYTES;
  const fragments = (plan.layout as { fragments?: unknown[] } | undefined)?.fragments;
  if (Array.isArray(fragments)) bytes += fragments.length * PART_BYTES;
  return bytes;
}
