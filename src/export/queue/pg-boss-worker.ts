/**
 * The exporter side of the pg-boss queue: per kind, take at most the node's
 * concurrency in jobs from pg-boss, run each with the runner, keep its
 * pg-boss lease alive while it runs, and settle its row.
 *
 * Why fetch() and not pg-boss's work(): work() races the handler against the
 * job's expiry and fails the job when it is exceeded, even while the handler
 * still runs, and pg-boss 10 has no heartbeat to extend it. Here the running
 * node renews the lease itself (moves `started_on` forward, fenced by the
 * attempt's retry_count), so a transcode of any length keeps its job while a
 * dead node's job expires and is retried by another exporter.
 */
import type PgBoss from 'pg-boss';
import { VigilError } from '../../errors.js';
import type { ClusterJobStore } from './cluster-job-store.js';
import type { ExportJobPatch, StoredExportJob } from './job-store.js';
import { runWithGrace, type RunOutcome } from './job-run.js';
import {
  type ExportJob,
  type ExportJobKind,
  exportJobKinds,
  type ExportJobState,
  type ExportJobStateEvent,
  type ExportRunner,
  type ExportStep,
  isFinishedState,
  type QueueLogger,
} from './job-types.js';
import { pgBossJobId, type PgBossJobData, pgBossQueueName, type PgBossTimings } from './pg-boss-options.js';
import { publicJob, QueueEntry } from './queue-entry.js';
import { type QueueLimits, requeuePatch } from './queue-options.js';

/** What the worker needs from its queue. */
export interface WorkerHost<TSpec> {
  readonly boss: PgBoss;
  readonly nodeId: string;
  readonly schema: string;
  readonly store: ClusterJobStore<TSpec>;
  readonly runner: ExportRunner<TSpec>;
  readonly limits: QueueLimits;
  readonly timings: PgBossTimings;
  readonly logger: QueueLogger;
  now(): number;
  /** A state change this node made: events, callbacks, webhooks, the other nodes. */
  announce(event: ExportJobStateEvent<TSpec>): void;
  progress(id: string, step: ExportStep, percent: number): void;
  /** A job this node finished: auto-removal. */
  finished(job: ExportJob<TSpec>): void;
  removePartial(id: string, path: string): Promise<void>;
}

interface Running<TSpec> {
  entry: QueueEntry<TSpec>;
  queue: string;
  pgId: string;
  retryCount: number;
  /** Another node owns the job now (its lease expired): this node writes nothing more. */
  lost: boolean;
  /** This node "died" (abandon): it writes nothing at all. */
  abandoned: boolean;
  keepAlive: NodeJS.Timeout | undefined;
  renewing: boolean;
}

export class PgBossWorker<TSpec> {
  readonly #host: WorkerHost<TSpec>;
  readonly #running = new Map<string, Running<TSpec>>();
  readonly #busy: Record<ExportJobKind, number> = { copy: 0, transcode: 0 };
  readonly #wakers: Record<ExportJobKind, (() => void) | undefined> = { copy: undefined, transcode: undefined };
  readonly #loops: Promise<void>[] = [];
  readonly #runs = new Set<Promise<void>>();
  #active = false;
  #abandoning = false;

  constructor(host: WorkerHost<TSpec>) {
    this.#host = host;
  }

  start(): void {
    if (this.#active) return;
    this.#active = true;
    for (const kind of exportJobKinds) this.#loops.push(this.#loop(kind));
  }

  /** Ends the idle wait of `kind`'s loop (a job was queued somewhere). */
  wake(kind: ExportJobKind): void {
    const waker = this.#wakers[kind];
    this.#wakers[kind] = undefined;
    waker?.();
  }

  isRunning(id: string): boolean {
    return this.#running.has(id);
  }

  /** The job as this node runs it (with its latest progress), if it does. */
  runningJob(id: string): ExportJob<TSpec> | undefined {
    const running = this.#running.get(id);
    return running === undefined ? undefined : publicJob(running.entry.job);
  }

  /** Stops the job if this node runs it; returns whether it does. */
  cancel(id: string): boolean {
    const running = this.#running.get(id);
    if (running === undefined) return false;
    this.#stopRun(running, 'cancel', new VigilError('CANCELED', `export job "${id}" was canceled`));
    return true;
  }

  /**
   * 'shutdown': running jobs are aborted, put back in the queue and handed to
   * pg-boss for another exporter. 'abandon': as a killed process, nothing is
   * written; the jobs' leases expire and another exporter retries them.
   */
  async stop(mode: 'shutdown' | 'abandon'): Promise<void> {
    this.#active = false;
    this.#abandoning = mode === 'abandon';
    for (const kind of exportJobKinds) this.wake(kind);
    for (const running of this.#running.values()) {
      if (mode === 'abandon') {
        running.abandoned = true;
        clearInterval(running.keepAlive);
      }
      this.#stopRun(running, 'shutdown', new VigilError('CANCELED', 'the export queue is stopping'));
    }
    await Promise.all(this.#loops);
    this.#loops.length = 0;
    await Promise.all([...this.#runs]);
  }

  async #loop(kind: ExportJobKind): Promise<void> {
    const queue = pgBossQueueName(kind);
    const { boss, logger, timings } = this.#host;
    while (this.#active) {
      const free = this.#host.limits.concurrency[kind] - this.#busy[kind];
      let jobs: PgBoss.JobWithMetadata<PgBossJobData>[] = [];
      if (free > 0) {
        try {
          jobs = await boss.fetch<PgBossJobData>(queue, { batchSize: free, includeMetadata: true });
        } catch (err) {
          logger.warn({ err, queue }, 'export queue: fetching jobs from pg-boss failed');
        }
      }
      if (!this.#active) {
        // Taken while stopping: hand them straight back (an abandoning node leaves them to expire).
        if (jobs.length > 0 && !this.#abandoning)
          await this.#handBack(
            queue,
            jobs.map((j) => j.id),
          );
        return;
      }
      for (const job of jobs) this.#launch(kind, job);
      if (jobs.length > 0 && jobs.length === free) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#wakers[kind] = undefined;
          resolve();
        }, timings.pollingIntervalMs);
        this.#wakers[kind] = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  #launch(kind: ExportJobKind, job: PgBoss.JobWithMetadata<PgBossJobData>): void {
    this.#busy[kind] += 1;
    const run: Promise<void> = this.#execute(job)
      .catch((err: unknown) => this.#host.logger.error({ err, pgId: job.id }, 'export job run failed'))
      .finally(() => {
        this.#runs.delete(run);
        this.#busy[kind] -= 1;
        this.wake(kind);
      });
    this.#runs.add(run);
  }

  async #execute(pgJob: PgBoss.JobWithMetadata<PgBossJobData>): Promise<void> {
    const { store } = this.#host;
    const id = typeof pgJob.data?.id === 'string' ? pgJob.data.id : undefined;
    const job = id === undefined ? undefined : await store.get(id);
    if (job === undefined || isFinishedState(job.state) || pgBossJobId(job.id, job.seq) !== pgJob.id) {
      // Removed, canceled before it started, or a stale job of an id reused since: nothing to run.
      await this.#complete(pgJob.name, pgJob.id);
      return;
    }
    const entry = new QueueEntry<TSpec>(job, undefined, (err) =>
      this.#host.logger.error({ err, id: job.id }, 'export job bookkeeping failed'),
    );
    const running: Running<TSpec> = {
      entry,
      queue: pgJob.name,
      pgId: pgJob.id,
      retryCount: pgJob.retryCount,
      lost: false,
      abandoned: false,
      keepAlive: undefined,
      renewing: false,
    };
    // Registered before the row says exporting, so a cancel from another node finds it.
    this.#running.set(job.id, running);
    try {
      await this.#run(running, job);
    } finally {
      clearInterval(running.keepAlive);
      entry.stopRunning();
      if (this.#running.get(job.id) === running) this.#running.delete(job.id);
      entry.resolve();
    }
  }

  async #run(running: Running<TSpec>, stored: StoredExportJob<TSpec>): Promise<void> {
    const { store, limits, timings } = this.#host;
    const { entry } = running;
    const id = stored.id;
    if (stored.state === 'exporting') {
      // The node that ran it died (its lease expired): back in the queue, then run again from scratch.
      await this.#host.removePartial(id, stored.filePath);
      if (!(await this.#transition(running, ['exporting'], requeuePatch)))
        return this.#complete(running.queue, running.pgId);
    }
    const started: ExportJobPatch = {
      state: 'exporting',
      startedAtUs: this.#host.now(),
      step: 'preparing',
      percent: 0,
    };
    // Conditional: a cancel may have won the row since pg-boss handed the job out.
    if (!(await this.#transition(running, ['in_queue'], started))) return this.#complete(running.queue, running.pgId);
    this.#host.logger.info?.({ id, node: this.#host.nodeId, kind: running.queue }, 'export job started on this node');

    running.keepAlive = setInterval(() => void this.#renew(running), timings.keepAliveMs);
    const signal = entry.controller.signal;
    const sink = {
      emitProgress: (jobId: string, step: ExportStep, percent: number) => this.#host.progress(jobId, step, percent),
      persistProgress: async (jobId: string, patch: ExportJobPatch) => {
        await store.update(jobId, patch).catch((err: unknown) => {
          this.#host.logger.error({ err, id: jobId }, 'saving export progress failed');
        });
      },
    };
    entry.startRunning(limits.intervalMs, sink);
    const job = publicJob(entry.job);
    const outcome: RunOutcome = signal.aborted
      ? { kind: 'failed', error: { code: 'CANCELED', message: 'canceled before the runner started' } }
      : await runWithGrace(
          () => this.#host.runner.run(job, { signal, progress: (step, pct) => entry.report(step, pct, sink) }),
          signal,
          limits.graceMs,
        );
    entry.stopRunning();
    clearInterval(running.keepAlive);
    // Progress writes queued on the entry land before the final state.
    await entry.settled;
    await this.#settle(running, outcome);
  }

  async #settle(running: Running<TSpec>, outcome: RunOutcome): Promise<void> {
    const { entry } = running;
    const { id, step, percent, filePath } = entry.job;
    if (running.abandoned) return;
    const unresponsive = outcome.kind === 'unresponsive';
    if (unresponsive) void outcome.settled.then(() => this.#host.removePartial(id, filePath));
    const ended = { step, percent, finishedAtUs: this.#host.now() };
    if (entry.stopReason === undefined && !running.lost && outcome.kind === 'done') {
      const { result } = outcome;
      const patch = {
        ...ended,
        state: 'success',
        percent: 100,
        filePath: result.filePath,
        bytes: result.bytes,
      } as const;
      if (await this.#transition(running, ['exporting'], patch)) this.#host.finished(publicJob(entry.job));
      await this.#complete(running.queue, running.pgId);
      return;
    }
    await this.#host.removePartial(id, filePath);
    if (outcome.kind === 'done' && outcome.result.filePath !== filePath) {
      await this.#host.removePartial(id, outcome.result.filePath);
    }
    // Its lease went to another exporter, which now owns the row.
    if (running.lost) return;
    const lateStop = `the export runner did not stop within ${this.#host.limits.graceMs} ms of the abort and may still be running`;
    if (entry.stopReason === 'cancel') {
      const error = unresponsive ? { code: 'TIMEOUT' as const, message: `canceled, but ${lateStop}` } : undefined;
      if (await this.#transition(running, ['exporting'], { ...ended, state: 'canceled', error })) {
        this.#host.finished(publicJob(entry.job));
      }
    } else if (entry.stopReason === 'shutdown') {
      await this.#transition(running, ['exporting'], requeuePatch);
      await this.#handBack(running.queue, [running.pgId]);
    } else {
      const error = outcome.kind === 'failed' ? outcome.error : { code: 'INTERNAL' as const, message: lateStop };
      if (await this.#transition(running, ['exporting'], { ...ended, state: 'error', error })) {
        this.#host.finished(publicJob(entry.job));
      }
      // A failure on the job's merits is final: pg-boss must not retry it.
      await this.#complete(running.queue, running.pgId);
    }
  }

  /** Writes `patch` if the row is still in `from`, then announces it; returns whether it was written. */
  async #transition(running: Running<TSpec>, from: readonly ExportJobState[], patch: ExportJobPatch): Promise<boolean> {
    const { entry } = running;
    let written = false;
    try {
      written = await this.#host.store.updateInStates(entry.id, from, patch);
    } catch (err) {
      this.#host.logger.error({ err, id: entry.id }, 'saving an export job failed');
    }
    if (!written) return false;
    const previous = entry.job.state;
    Object.assign(entry.job, patch);
    this.#host.announce({ type: 'state', job: publicJob(entry.job), previous, atUs: this.#host.now() });
    return true;
  }

  /** Moves the lease forward; a lease no longer ours means a cancel or a takeover. */
  async #renew(running: Running<TSpec>): Promise<void> {
    if (running.renewing || running.abandoned || running.lost) return;
    running.renewing = true;
    const { boss, schema, logger } = this.#host;
    try {
      const result = await boss
        .getDb()
        .executeSql(
          `UPDATE ${schema}.job SET started_on = now() WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3 RETURNING id`,
          [running.queue, running.pgId, running.retryCount],
        );
      if (result.rows.length > 0 || running.entry.stopReason !== undefined) return;
      const now = await boss.getJobById(running.queue, running.pgId);
      if (now?.state === 'cancelled') {
        this.#stopRun(running, 'cancel', new VigilError('CANCELED', `export job "${running.entry.id}" was canceled`));
      } else {
        running.lost = true;
        this.#stopRun(
          running,
          'shutdown',
          new VigilError('CONFLICT', `export job "${running.entry.id}": its pg-boss lease expired and was taken over`),
        );
      }
    } catch (err) {
      // A database hiccup: the next renewal tries again, well before the lease expires.
      logger.warn({ err, id: running.entry.id }, 'export queue: renewing a job lease failed');
    } finally {
      running.renewing = false;
    }
  }

  #stopRun(running: Running<TSpec>, reason: 'cancel' | 'shutdown', error: VigilError): void {
    const { entry } = running;
    if (entry.stopReason !== undefined) return;
    entry.stopReason = reason;
    entry.controller.abort(error);
  }

  async #complete(queue: string, pgId: string): Promise<void> {
    try {
      await this.#host.boss.complete(queue, pgId);
    } catch (err) {
      this.#host.logger.warn({ err, pgId }, 'export queue: completing a pg-boss job failed');
    }
  }

  /** Fails the pg-boss jobs so pg-boss hands them to another exporter (a retry). */
  async #handBack(queue: string, pgIds: string[]): Promise<void> {
    try {
      for (const pgId of pgIds) {
        await this.#host.boss.fail(queue, pgId, { message: 'the exporter node stopped; handed to another' });
      }
    } catch (err) {
      this.#host.logger.warn({ err, pgIds }, 'export queue: handing jobs back to pg-boss failed');
    }
  }
}
