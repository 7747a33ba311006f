/**
 * The export queue of a cluster: the `export_jobs` rows are shared by every
 * node (the task list, the queue limit, state and progress), and pg-boss, on
 * the same PostgreSQL, hands each job to one exporter node (a queue per kind,
 * so each exporter keeps its per-kind concurrency). Every node submits,
 * lists and cancels; only nodes that run jobs (the `exporter` role) take them.
 *
 * Who says what: the node that makes a state change writes it (conditionally,
 * so two nodes never both win), then announces it: its own listeners, the
 * global callback and webhooks (once per change, cluster-wide), and the other
 * nodes through LISTEN/NOTIFY, which re-emit it to their listeners (SSE,
 * telemetry) and to the per-job callback of the node that took the submit.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type PgBoss from 'pg-boss';
import { invalidArgument, VigilError } from '../../errors.js';
import { lazyRequire } from '../../lazy-require.js';
import { nowUs } from '../../time.js';
import { ClusterAnnouncer } from './cluster-announcer.js';
import { ClusterEventChannel } from './cluster-events.js';
import type { ClusterJobStore } from './cluster-job-store.js';
import { JobEventHub, type SubscribeOptions } from './job-events.js';
import type { JobQueue } from './job-queue.js';
import {
  type ExportJob,
  type ExportJobEvent,
  exportJobKinds,
  type ExportJobState,
  isFinishedState,
  type QueueLogger,
  silentLogger,
} from './job-types.js';
import {
  DEFAULT_PGBOSS_SCHEMA,
  pgBossJobId,
  type PgBossJobData,
  type PgBossQueueOptions,
  pgBossQueueName,
  pgBossTimings,
  type PgBossTimings,
} from './pg-boss-options.js';
import { PgBossWorker } from './pg-boss-worker.js';
import { FinishedJobRemovals } from './finished-removals.js';
import { publicJob } from './queue-entry.js';
import {
  DEFAULT_CANCEL_TASK_WITH_STATES,
  jobNotFound,
  queueLimits,
  type QueueLimits,
  type SubmitExportJob,
} from './queue-options.js';
import { reconcileJobs } from './pg-boss-reconcile.js';

/** pg-boss, loaded when the first cluster queue is made (src/lazy-require.ts says why). */
const pgBoss = lazyRequire<typeof PgBoss>('pg-boss');

export class PgBossQueue<TSpec = unknown> implements JobQueue<TSpec> {
  readonly events: JobEventHub<TSpec>;
  readonly #opts: PgBossQueueOptions<TSpec>;
  readonly #store: ClusterJobStore<TSpec>;
  readonly #logger: QueueLogger;
  readonly #now: () => number;
  readonly #limits: QueueLimits;
  readonly #timings: PgBossTimings;
  readonly #schema: string;
  /** Names this process in notifications; a restarted node is another origin. */
  readonly #origin: string;
  readonly #boss: PgBoss;
  readonly #channel: ClusterEventChannel;
  readonly #worker: PgBossWorker<TSpec> | undefined;
  readonly #announcer: ClusterAnnouncer<TSpec>;
  readonly #removals: FinishedJobRemovals;
  #reconcileTimer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> | undefined;
  #status: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: PgBossQueueOptions<TSpec>) {
    this.#opts = options;
    this.#store = options.store;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? nowUs;
    this.#limits = queueLimits(options);
    this.#timings = pgBossTimings(options as PgBossQueueOptions<unknown>);
    this.#removals = new FinishedJobRemovals(
      options.cancelTaskWithStates ?? DEFAULT_CANCEL_TASK_WITH_STATES,
      options.removeFinishedAfterMs ?? 0,
      this.#logger,
    );
    this.#schema = options.schema ?? DEFAULT_PGBOSS_SCHEMA;
    this.#origin = `${options.nodeId}/${randomUUID().slice(0, 8)}`;
    this.events = new JobEventHub<TSpec>(this.#logger);
    this.#boss = new (pgBoss())({
      connectionString: options.connectionString,
      schema: this.#schema,
      application_name: `vigil-${options.nodeId}`,
      max: 4,
      migrate: true,
      // Expiry (a dead exporter's job back to retry) runs here; pg-boss lets one node do it per interval.
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: this.#timings.maintenanceIntervalSeconds,
    });
    this.#boss.on('error', (err) => this.#logger.warn({ err }, 'export queue: pg-boss reported an error'));
    this.#announcer = new ClusterAnnouncer<TSpec>({
      events: this.events,
      store: this.#store,
      origin: this.#origin,
      callback: options.callback,
      webhooks: options.webhooks,
      logger: this.#logger,
      now: this.#now,
      onCancel: (id) => this.#worker?.cancel(id),
      onQueued: (kind) => this.#worker?.wake(kind),
    });
    this.#channel = new ClusterEventChannel({
      connectionString: options.connectionString,
      execute: (text, values) => this.#boss.getDb().executeSql(text, values),
      ...(options.channel !== undefined && { channel: options.channel }),
      logger: this.#logger,
      onMessage: (message) => this.#announcer.receive(message),
    });
    this.#announcer.attach(this.#channel);
    this.#worker = options.runsJobs
      ? new PgBossWorker<TSpec>({
          boss: this.#boss,
          nodeId: options.nodeId,
          schema: this.#schema,
          store: this.#store,
          runner: options.runner,
          limits: this.#limits,
          timings: this.#timings,
          logger: this.#logger,
          now: this.#now,
          announce: (event) => this.#announcer.announce(event),
          progress: (id, step, percent) => this.#announcer.progress(id, step, percent),
          finished: (job) => this.#finished(job),
          removePartial: (id, path) => this.#removePartial(id, path),
        })
      : undefined;
  }

  get cancelTaskWithStates(): readonly ExportJobState[] {
    return this.#removals.states;
  }

  set cancelTaskWithStates(states: readonly ExportJobState[]) {
    this.#removals.states = states;
  }

  /** Connects pg-boss (creating its schema and queues when missing) and the events channel; exporters start taking jobs. */
  async start(): Promise<void> {
    if (this.#status === 'started') return;
    await this.#boss.start();
    try {
      for (const kind of exportJobKinds) {
        const name = pgBossQueueName(kind);
        await this.#boss.createQueue(name, { name, policy: 'standard', ...this.#sendOptions() });
      }
      await this.#channel.start();
    } catch (err) {
      await this.#boss.stop({ graceful: false, timeout: 1_000 }).catch(() => undefined);
      throw new VigilError('STORAGE_FAILED', 'starting the cluster export queue (pg-boss) failed', { cause: err });
    }
    this.#status = 'started';
    this.#worker?.start();
    this.#reconcileTimer = setInterval(() => void this.reconcile(), this.#timings.reconcileIntervalMs);
    this.#reconcileTimer.unref();
  }

  /**
   * Stops taking jobs; jobs running here go back in the queue for another
   * exporter. Waits for pg-boss at most `stopTimeoutMs`.
   */
  async stop(): Promise<void> {
    await this.#halt('shutdown');
  }

  /**
   * Stops as a killed process would (for tests of a node dying): nothing is
   * written, running jobs stay `exporting` until their lease expires and
   * another exporter retries them.
   */
  async abandon(): Promise<void> {
    await this.#halt('abandon');
  }

  async submit(input: SubmitExportJob<TSpec>): Promise<ExportJob<TSpec>> {
    this.#checkStarted();
    if (!exportJobKinds.includes(input.kind)) {
      throw invalidArgument('kind', `expected one of ${exportJobKinds.join(', ')}, got ${JSON.stringify(input.kind)}`);
    }
    if (typeof input.filePath !== 'string' || input.filePath === '') {
      throw invalidArgument('filePath', 'expected the path of the file to write, got an empty value');
    }
    const id = input.id ?? (this.#opts.newId ?? randomUUID)();
    const stored = await this.#store.insertBounded(
      {
        id,
        kind: input.kind,
        spec: input.spec,
        state: 'in_queue',
        step: undefined,
        percent: 0,
        createdAtUs: this.#now(),
        startedAtUs: undefined,
        finishedAtUs: undefined,
        error: undefined,
        filePath: input.filePath,
        bytes: undefined,
        webhookUrl: input.webhookUrl,
      },
      this.#limits.maxLen,
    );
    const data: PgBossJobData = { id };
    try {
      await this.#boss.send(pgBossQueueName(input.kind), data, {
        id: pgBossJobId(id, stored.seq),
        ...this.#sendOptions(),
      });
    } catch (err) {
      await this.#store.delete(id).catch(() => undefined);
      throw new VigilError('STORAGE_FAILED', `queueing export job "${id}" in pg-boss failed`, { cause: err });
    }
    if (input.callback !== undefined) this.#announcer.holdCallback(id, input.callback);
    const job = publicJob(stored);
    this.#announcer.announce({ type: 'state', job, previous: undefined, atUs: job.createdAtUs });
    this.#worker?.wake(input.kind);
    return job;
  }

  /**
   * Cancels from any node: a queued job at once (its row and its pg-boss
   * job); a running one by telling its exporter, which aborts the run,
   * removes its partial file and writes `canceled`. An exporter that does not
   * answer in time (it died) has the row canceled here, with TIMEOUT.
   */
  async cancel(id: string): Promise<ExportJob<TSpec>> {
    this.#checkStarted();
    const stored = await this.#store.get(id);
    if (stored === undefined) throw jobNotFound(id);
    if (isFinishedState(stored.state)) return publicJob(stored);
    await this.#boss.cancel(pgBossQueueName(stored.kind), pgBossJobId(id, stored.seq)).catch((err: unknown) => {
      this.#logger.warn({ err, id }, 'export queue: canceling the pg-boss job failed');
    });
    if (stored.state === 'in_queue') {
      const patch = { state: 'canceled', finishedAtUs: this.#now() } as const;
      if (await this.#store.updateInStates(id, ['in_queue'], patch)) {
        const job = { ...publicJob(stored), ...patch };
        this.#announcer.announce({ type: 'state', job, previous: 'in_queue', atUs: patch.finishedAtUs });
        this.#finished(job);
        return job;
      }
    }
    // Running (or just started) somewhere.
    const waitMs = this.#limits.graceMs + this.#timings.keepAliveMs + 2_000;
    const finished = this.#waitFinished(id, waitMs);
    if (!(this.#worker?.cancel(id) ?? false)) {
      await this.#announcer.askCancel(id);
    }
    const job = await finished;
    if (job !== undefined) return job;
    const now = await this.#store.get(id);
    if (now === undefined) throw jobNotFound(id);
    const patch = {
      state: 'canceled',
      finishedAtUs: this.#now(),
      error: { code: 'TIMEOUT', message: `canceled, but its exporter did not answer within ${waitMs} ms` },
    } as const;
    if (!(await this.#store.updateInStates(id, ['exporting', 'in_queue'], patch))) return this.#storedJob(id);
    const job2 = { ...publicJob(now), ...patch };
    this.#announcer.announce({ type: 'state', job: job2, previous: now.state, atUs: patch.finishedAtUs });
    this.#finished(job2);
    return job2;
  }

  async remove(id: string): Promise<void> {
    const stored = await this.#store.get(id);
    if (stored === undefined) throw jobNotFound(id);
    if (!isFinishedState(stored.state)) {
      throw new VigilError('CONFLICT', `export job "${id}" is ${stored.state}: cancel it before removing it`);
    }
    if (!(await this.#store.delete(id))) throw jobNotFound(id);
    this.#announcer.removed(id);
  }

  async get(id: string): Promise<ExportJob<TSpec> | undefined> {
    const running = this.#worker?.runningJob(id);
    if (running !== undefined) return running;
    const stored = await this.#store.get(id);
    return stored === undefined ? undefined : publicJob(stored);
  }

  async list(): Promise<ExportJob<TSpec>[]> {
    const stored = await this.#store.list();
    return stored.map((job) => this.#worker?.runningJob(job.id) ?? publicJob(job));
  }

  /** Resolves when the job is finished, wherever it runs. Throws NOT_FOUND. */
  async whenFinished(id: string): Promise<ExportJob<TSpec>> {
    const job = await this.#waitFinished(id, undefined);
    if (job === undefined) throw jobNotFound(id);
    return job;
  }

  subscribe(options?: SubscribeOptions): AsyncIterableIterator<ExportJobEvent<TSpec>> {
    return this.events.subscribe(options);
  }

  /**
   * One sweep (also run every reconcileIntervalSeconds): finished jobs past
   * their time on the list are removed, and rows whose pg-boss job is gone or
   * failed for good (its exporters kept dying) end as INTERRUPTED, so no job
   * stays queued or exporting for ever. Safe on every node at once.
   */
  reconcile(): Promise<void> {
    this.#reconciling ??= reconcileJobs({
      store: this.#store,
      boss: this.#boss,
      schema: this.#schema,
      autoRemove: this.#removals.states,
      removeFinishedAfterMs: this.#opts.removeFinishedAfterMs ?? 0,
      retryLimit: this.#timings.retryLimit,
      now: this.#now,
      removed: (id) => this.#announcer.removed(id),
      changed: (event) => this.#announcer.announce(event),
    })
      .catch((err: unknown) => this.#logger.warn({ err }, 'export queue: the cluster sweep failed'))
      .finally(() => {
        this.#reconciling = undefined;
      });
    return this.#reconciling;
  }

  #sendOptions(): PgBoss.SendOptions {
    return {
      retryLimit: this.#timings.retryLimit,
      retryDelay: 0,
      expireInSeconds: this.#timings.expireInSeconds,
    };
  }

  async #halt(mode: 'shutdown' | 'abandon'): Promise<void> {
    const wasStarted = this.#status === 'started';
    this.#status = 'stopped';
    if (!wasStarted) return;
    clearInterval(this.#reconcileTimer);
    await this.#worker?.stop(mode);
    await this.#reconciling;
    this.#removals.clear();
    // Before pg-boss: the last notifications go out through its pool, which must still be open.
    await this.#channel.stop();
    await this.#announcer.drained();
    const stopped = this.#boss.stop({
      graceful: mode === 'shutdown',
      close: true,
      wait: true,
      timeout: this.#timings.stopTimeoutMs,
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#timings.stopTimeoutMs + 1_000);
    });
    await Promise.race([
      stopped.catch((err: unknown) => this.#logger.warn({ err }, 'export queue: stopping pg-boss failed')),
      late,
    ]);
    clearTimeout(timer);
  }

  #checkStarted(): void {
    if (this.#status !== 'started') {
      throw new VigilError('CONFLICT', `the export queue is ${this.#status === 'new' ? 'not started yet' : 'stopped'}`);
    }
  }

  async #storedJob(id: string): Promise<ExportJob<TSpec>> {
    const stored = await this.#store.get(id);
    if (stored === undefined) throw jobNotFound(id);
    return publicJob(stored);
  }

  /**
   * The job once finished, or undefined after `timeoutMs`. Events bring it at
   * once; the row is also re-read now and then, in case a notification was
   * lost while the listener reconnected.
   */
  async #waitFinished(id: string, timeoutMs: number | undefined): Promise<ExportJob<TSpec> | undefined> {
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    const recheckMs = Math.max(500, this.#timings.pollingIntervalMs);
    let wake: (() => void) | undefined;
    let seen: ExportJob<TSpec> | undefined;
    const off = this.events.on((event) => {
      if (event.type === 'state' && event.job.id === id && isFinishedState(event.job.state)) {
        seen = event.job;
        wake?.();
      }
    });
    try {
      for (;;) {
        if (seen !== undefined) return seen;
        const stored = await this.#store.get(id);
        if (seen !== undefined) return seen;
        if (stored === undefined) throw jobNotFound(id);
        if (isFinishedState(stored.state)) return publicJob(stored);
        const leftMs = deadline - performance.now();
        if (leftMs <= 0) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(recheckMs, leftMs));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      off();
    }
  }

  /** Auto-removal of a job this node finished; the sweep removes it too if this node stops first. */
  #finished(job: ExportJob<TSpec>): void {
    void this.#removals.schedule(job.id, job.state, async () => {
      if (await this.#store.delete(job.id)) this.#announcer.removed(job.id);
    });
  }

  async #removePartial(id: string, path: string): Promise<void> {
    try {
      await (this.#opts.removePartial ?? ((p: string) => rm(p, { force: true })))(path);
    } catch (err) {
      this.#logger.warn({ err, id, path }, 'removing the partial file of an export job failed');
    }
  }
}
