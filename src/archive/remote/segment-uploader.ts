/**
 * Uploads closed segments to object storage and keeps a bounded local cache.
 *
 * A closed segment is `local` in the index until its upload is confirmed (a
 * HEAD shows the size and checksum of the local bytes); then it is `both`.
 * Failed uploads are retried with backoff for as long as the process lives,
 * and at start every closed `local` segment is queued again, so a restart
 * loses nothing. The cache keeps the newest local copies within its byte
 * budget: older confirmed segments become `remote` and their files go.
 * Unconfirmed segments are never evicted, whatever the budget.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { VigilError } from '../../errors.js';
import type { Database } from '../index/database.js';
import { findSegmentById } from '../index/segments.repo.js';
import {
  listLocalCopies,
  listUnconfirmedSegmentIds,
  markSegmentRemoteOnly,
  markSegmentUploaded,
  segmentStorageOf,
} from '../index/segment-storage.repo.js';
import { resolveInsideRoot } from '../layout.js';
import { deleteSegmentFile } from '../local-store.js';
import type { SegmentRecord } from '../types.js';
import type { S3SegmentStore } from './s3-store.js';

/** The part of a pino logger the uploader uses. */
export interface UploaderLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SegmentUploaderOptions {
  db: Kysely<Database>;
  store: S3SegmentStore;
  localCacheBytes: number;
  /** Uploads running at once (default 4). */
  concurrency?: number;
  logger?: UploaderLogger;
  /** First retry delay; doubles per failure up to `maxBackoffMs` (defaults 1 s and 60 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface SegmentUploaderEvents {
  uploaded: [segment: SegmentRecord];
  /** An attempt failed; it is retried after `retryInMs`. */
  failed: [segment: SegmentRecord, error: Error, retryInMs: number];
  /** A confirmed segment's local copy was removed to keep the cache within budget. */
  evicted: [segment: SegmentRecord];
}

export class SegmentUploader extends EventEmitter<SegmentUploaderEvents> {
  readonly #opts: SegmentUploaderOptions;
  readonly #concurrency: number;
  readonly #queue: number[] = [];
  readonly #queued = new Set<number>();
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #idleWaiters: Array<() => void> = [];
  #trimming: Promise<void> | undefined;
  #trimAgain = false;

  constructor(opts: SegmentUploaderOptions) {
    super();
    this.#opts = opts;
    this.#concurrency = opts.concurrency ?? 4;
  }

  /** Queues every closed segment whose upload is not confirmed (after a restart, or a crash) and trims the cache. */
  async start(): Promise<void> {
    for (const id of await listUnconfirmedSegmentIds(this.#opts.db)) this.enqueue(id);
    await this.trimCache();
  }

  /** Queues a closed segment for upload; one already queued or uploading is not queued twice. */
  enqueue(segmentId: number): void {
    if (this.#abort.signal.aborted || this.#queued.has(segmentId)) return;
    this.#queued.add(segmentId);
    this.#queue.push(segmentId);
    this.#pump();
  }

  /** Segments queued or uploading. */
  get pending(): number {
    return this.#queued.size;
  }

  /** Resolves once nothing is queued or uploading (a failing upload keeps it waiting until it succeeds). */
  whenIdle(): Promise<void> {
    if (this.#queued.size === 0 && this.#trimming === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Aborts uploads in flight and retry waits; what is left is queued again by the next start. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#running]);
    await this.#trimming;
  }

  /** Removes local copies of confirmed segments beyond the newest `localCacheBytes`. */
  trimCache(): Promise<void> {
    if (this.#trimming !== undefined) {
      this.#trimAgain = true;
      return this.#trimming;
    }
    this.#trimming = this.#trim().finally(() => {
      this.#trimming = undefined;
      if (this.#trimAgain && !this.#abort.signal.aborted) {
        this.#trimAgain = false;
        void this.trimCache();
      } else {
        this.#checkIdle();
      }
    });
    return this.#trimming;
  }

  async #trim(): Promise<void> {
    const { db, localCacheBytes, logger } = this.#opts;
    let keptBytes = 0;
    for (const { segment, storage } of await listLocalCopies(db)) {
      if (this.#abort.signal.aborted) return;
      keptBytes += segment.sizeBytes;
      if (keptBytes <= localCacheBytes || storage !== 'both') continue;
      // The row says `remote` before the file goes, so no reader is sent to a file that is gone.
      if (!(await markSegmentRemoteOnly(db, segment.id))) continue;
      try {
        await deleteSegmentFile(segment.root, segment.path);
        this.emit('evicted', segment);
      } catch (err) {
        logger?.warn({ err, segmentId: segment.id, path: segment.path }, 'could not remove an uploaded local copy');
      }
    }
  }

  #pump(): void {
    while (this.#running.size < this.#concurrency && this.#queue.length > 0) {
      const id = this.#queue.shift()!;
      const run = this.#uploadUntilDone(id).finally(() => {
        this.#running.delete(run);
        this.#queued.delete(id);
        this.#pump();
        this.#checkIdle();
      });
      this.#running.add(run);
    }
  }

  #checkIdle(): void {
    if (this.#queued.size > 0 || this.#trimming !== undefined) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async #uploadUntilDone(id: number): Promise<void> {
    const { minBackoffMs = 1_000, maxBackoffMs = 60_000, logger } = this.#opts;
    const signal = this.#abort.signal;
    for (let failures = 0; !signal.aborted; failures += 1) {
      const segment = await findSegmentById(this.#opts.db, id).catch(() => undefined);
      try {
        if (segment === undefined) {
          // Gone (retention) or the index did not answer: a live row is queued again by the next start.
          if ((await segmentStorageOf(this.#opts.db, id)) === undefined) return;
          throw new VigilError('STORAGE_FAILED', `cannot read segment ${id} from the index`);
        }
        if (!segment.closed || (await segmentStorageOf(this.#opts.db, id)) !== 'local') return;
        await this.#uploadOnce(segment, signal);
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (isMissingFile(err)) {
          logger?.warn({ segmentId: id, path: segment?.path }, 'segment file gone before its upload; not retried');
          return;
        }
        const retryInMs = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(failures, 20));
        const error = err instanceof Error ? err : new Error(String(err));
        logger?.warn({ segmentId: id, path: segment?.path, err: error, retryInMs }, 'segment upload failed');
        if (segment !== undefined) this.emit('failed', segment, error, retryInMs);
        // stop() ends the wait early (it rejects); the loop then ends.
        await sleep(retryInMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  async #uploadOnce(segment: SegmentRecord, signal: AbortSignal): Promise<void> {
    const { db, store, logger } = this.#opts;
    const key = store.keyFor(segment.path);
    const localPath = resolveInsideRoot(segment.root, segment.path);
    const expected = await store.uploadFile(localPath, key, segment.sizeBytes, signal);
    if (!(await store.confirm(key, expected, signal))) {
      throw new VigilError(
        'STORAGE_FAILED',
        `${store.describe(key)} does not match ${segment.path} after upload (size or checksum differs)`,
      );
    }
    if (!(await markSegmentUploaded(db, segment.id))) {
      // Retention deleted the row while it was uploading: the object would be an orphan.
      await store.delete(key, signal);
      return;
    }
    logger?.info({ segmentId: segment.id, key, sizeBytes: segment.sizeBytes }, 'segment uploaded');
    this.emit('uploaded', segment);
    void this.trimCache();
  }
}

function isMissingFile(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
  }
  return false;
}
