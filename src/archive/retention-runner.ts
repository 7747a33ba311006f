/**
 * Runs retention: plans from the index (`planRetention`, pure), then deletes
 * each chosen segment, logging why: the archive re-checks the locks and
 * deletes the row in one transaction, then removes the file. Keeps the
 * latest quota pressure of each stream for the API and metrics to read.
 */
import { nowUs, secondsToUs } from '../time.js';
import type { Archive } from './archive.js';
import { listUnconfirmedSegmentIds } from './index/segment-storage.repo.js';
import type { SegmentRecord } from './types.js';
import {
  planRetention,
  type RetentionDeletion,
  type RetentionPlan,
  type RetentionPolicy,
  type RetentionPressure,
} from './retention-plan.js';

/** The part of a pino logger the runner uses. */
export interface RetentionLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RetentionRunnerOptions {
  archive: Archive;
  logger: RetentionLogger;
  intervalMs: number;
  /** Applied where a stream's definition sets nothing, and to streams with no definition. */
  defaults?: RetentionPolicy;
  now?: () => number;
  /**
   * Cluster mode: a pass runs only when this resolves true (this node leads
   * retention, see cluster/retention-leader.ts), so two nodes never delete at once.
   */
  leader?: () => Promise<boolean>;
  /**
   * Remote storage is configured: a closed segment whose upload is not yet
   * confirmed (`storage = 'local'`) is the only copy, so retention keeps it
   * until the uploader confirms it.
   */
  keepUnconfirmedUploads?: boolean;
  /**
   * Called after a pass has planned and before it deletes anything. Tests use
   * it to change the index at exactly that point (e.g. add a lock).
   */
  afterPlan?: (plan: RetentionPlan) => Promise<void> | void;
  /**
   * Called inside each deletion's transaction, after the lock check and
   * before the row is deleted. Tests use it to race a lock against a deletion.
   */
  afterLockCheck?: (deletion: RetentionDeletion) => Promise<void> | void;
  /** Told of each segment deleted (events and metrics); must not throw. */
  onDeleted?: (segment: SegmentRecord, deletion: RetentionDeletion) => void;
  /** Told of each pass's quota pressure, empty when no stream is stuck over its quota. */
  onPressure?: (pressure: RetentionPressure[]) => void;
}

export interface RetentionRunResult {
  deleted: RetentionDeletion[];
  /** Planned deletions skipped because a lock added after planning now overlaps the segment. */
  keptLocked: RetentionDeletion[];
  failed: Array<RetentionDeletion & { error: string }>;
  pressure: RetentionPressure[];
}

export class RetentionRunner {
  readonly #opts: RetentionRunnerOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<RetentionRunResult> | undefined;
  #pressure = new Map<string, RetentionPressure>();

  constructor(opts: RetentionRunnerOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? nowUs;
  }

  /** Runs every `intervalMs` until `stop()`; the timer does not keep the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.#opts.logger.error({ err }, 'retention run failed'));
    }, this.#opts.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight?.catch(() => undefined);
  }

  /** The stream's quota pressure from the latest run, if it is over quota with nothing left to delete. */
  pressure(stream: string): RetentionPressure | undefined {
    return this.#pressure.get(stream);
  }

  /** Runs one retention pass now; a call during a pass waits for that pass instead of starting another. */
  runOnce(): Promise<RetentionRunResult> {
    this.#inFlight ??= this.#run().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #policies(streamsWithSegments: Iterable<string>): Promise<Map<string, RetentionPolicy>> {
    const defaults = this.#opts.defaults ?? {};
    const policies = new Map<string, RetentionPolicy>();
    for (const stream of streamsWithSegments) policies.set(stream, defaults);
    for (const def of await this.#opts.archive.listStreams()) {
      const { expirationSeconds, diskLimitBytes } = def.dvr;
      policies.set(def.name, {
        maxAgeUs: expirationSeconds === undefined ? defaults.maxAgeUs : secondsToUs(expirationSeconds),
        quotaBytes: diskLimitBytes ?? defaults.quotaBytes,
      });
    }
    return policies;
  }

  async #run(): Promise<RetentionRunResult> {
    const { archive, logger } = this.#opts;
    if (this.#opts.leader !== undefined && !(await this.#opts.leader())) {
      return { deleted: [], keptLocked: [], failed: [], pressure: [] };
    }
    const segments = await archive.listAllSegments();
    // Read after the segments: one confirmed in between is simply deletable; storage never goes back to local.
    const unconfirmed = this.#opts.keepUnconfirmedUploads
      ? new Set(await listUnconfirmedSegmentIds(archive.db))
      : new Set<number>();
    const plan = planRetention({
      // The plan never picks an open segment; an unconfirmed upload is kept the same way.
      segments: segments.map((s) => (unconfirmed.has(s.id) ? { ...s, closed: false } : s)),
      locks: await archive.listLocks(),
      nowUs: this.#now(),
      policies: await this.#policies(new Set(segments.map((s) => s.stream))),
    });

    await this.#opts.afterPlan?.(plan);

    const byId = new Map(segments.map((s) => [s.id, s]));
    const result: RetentionRunResult = { deleted: [], keptLocked: [], failed: [], pressure: plan.pressure };
    for (const deletion of plan.deletions) {
      const segment = byId.get(deletion.segmentId);
      if (segment === undefined) continue;
      const fields = {
        stream: segment.stream,
        variant: segment.variant,
        segmentId: segment.id,
        path: segment.path,
        startUs: segment.startUs,
        endUs: segment.endUs,
        sizeBytes: segment.sizeBytes,
        reason: deletion.reason,
      };
      try {
        // The plan saw the locks as they were when the pass began; a lock
        // added through the API since then must still win, so the archive
        // re-reads this stream's locks in the deletion's own transaction.
        const afterLockCheck = this.#opts.afterLockCheck;
        const outcome = await archive.removeSegmentUnlessLocked(segment, {
          afterLockCheck: afterLockCheck === undefined ? undefined : () => afterLockCheck(deletion),
        });
        if (outcome === 'locked') {
          logger.info(fields, 'retention kept a segment locked after planning');
          result.keptLocked.push(deletion);
          continue;
        }
        logger.info(fields, `retention deleted a segment (${deletion.reason})`);
        result.deleted.push(deletion);
        this.#opts.onDeleted?.(segment, deletion);
      } catch (err) {
        logger.error({ ...fields, err }, 'retention could not delete a segment');
        result.failed.push({ ...deletion, error: err instanceof Error ? err.message : String(err) });
      }
    }

    this.#pressure = new Map(plan.pressure.map((p) => [p.stream, p]));
    this.#opts.onPressure?.(plan.pressure);
    for (const p of plan.pressure) {
      logger.warn(p, 'stream is over its disk quota and only locked or open segments are left');
    }
    return result;
  }
}
