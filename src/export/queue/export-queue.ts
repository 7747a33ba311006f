/**
 * The in-process export queue: persistent jobs (JobStore), a bounded queue,
 * concurrency per kind, earlier jobs first, cancel at any state, progress
 * that only moves forward, and notifications (events, callbacks, webhooks).
 * What a job does is the runner's business; the queue owns its lifecycle:
 *
 *   submit ─▶ in_queue ─▶ exporting ─▶ success | error | canceled ─▶ (auto-removal)
 *
 * Every state change is persisted before it is announced, and each job's
 * writes and announcements go out in order (one promise chain per job).
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { invalidArgument, isVigilError, VigilError } from '../../errors.js';
import { nowUs } from '../../time.js';
import { JobEventHub, type SubscribeOptions } from './job-events.js';
import type { JobQueue } from './job-queue.js';
import { stateEventToWebhookBody } from './job-json.js';
import { runWithGrace, type RunOutcome } from './job-run.js';
import type { ExportJobPatch, JobStore, StoredExportJob } from './job-store.js';
import {
  type ExportJob,
  type ExportJobEvent,
  type ExportJobKind,
  exportJobKinds,
  type ExportJobState,
  type ExportJobStateEvent,
  type QueueLogger,
  silentLogger,
} from './job-types.js';
import { FinishedJobRemovals } from './finished-removals.js';
import { type ProgressSink, publicJob, QueueEntry } from './queue-entry.js';
import {
  DEFAULT_CANCEL_TASK_WITH_STATES,
  duplicateId,
  type ExportQueueOptions,
  interruptedError,
  jobNotFound,
  queueFull,
  queueLimits,
  type QueueLimits,
  requeuePatch,
  type SubmitExportJob,
} from './queue-options.js';

export class ExportQueue<TSpec = unknown> implements JobQueue<TSpec> {
  readonly events: JobEventHub<TSpec>;
  readonly #opts: ExportQueueOptions<TSpec>;
  readonly #store: JobStore<TSpec>;
  readonly #logger: QueueLogger;
  readonly #now: () => number;
  readonly #limits: QueueLimits;
  readonly #sink: ProgressSink;
  readonly #removals: FinishedJobRemovals;
  /** Jobs in_queue or exporting in this process. */
  readonly #active = new Map<string, QueueEntry<TSpec>>();
  readonly #waiting: Record<ExportJobKind, QueueEntry<TSpec>[]> = { copy: [], transcode: [] };
  readonly #running: Record<ExportJobKind, number> = { copy: 0, transcode: 0 };
  readonly #runs = new Set<Promise<void>>();
  #seq = 0;
  #status: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: ExportQueueOptions<TSpec>) {
    this.#opts = options;
    this.#store = options.store;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? nowUs;
    this.#limits = queueLimits(options);
    this.#removals = new FinishedJobRemovals(
      options.cancelTaskWithStates ?? DEFAULT_CANCEL_TASK_WITH_STATES,
      options.removeFinishedAfterMs ?? 0,
      this.#logger,
    );
    this.events = new JobEventHub<TSpec>(this.#logger);
    this.#sink = {
      emitProgress: (id, step, percent) => this.events.emit({ type: 'progress', id, step, percent, atUs: this.#now() }),
      persistProgress: (id, patch) => this.#persist(id, patch),
    };
  }

  get cancelTaskWithStates(): readonly ExportJobState[] {
    return this.#removals.states;
  }

  /** Applies to jobs that finish from now on. */
  set cancelTaskWithStates(states: readonly ExportJobState[]) {
    this.#removals.states = states;
  }

  /**
   * Settles what a previous process left (no job stays `exporting`: each is
   * failed as INTERRUPTED, or re-queued with `resumeInterrupted`; its partial
   * file is removed), loads the queue and starts running jobs.
   */
  async start(): Promise<void> {
    if (this.#status === 'started') return;
    this.#seq = await this.#store.maxSeq();
    for (const job of await this.#store.list(['exporting'])) await this.#settleInterrupted(job);
    for (const id of await this.#store.deleteInStates(this.#removals.states)) {
      this.events.emit({ type: 'removed', id, atUs: this.#now() });
    }
    for (const job of await this.#store.list(['in_queue'])) {
      if (this.#active.has(job.id)) continue;
      const entry = this.#newEntry(job, undefined);
      this.#active.set(job.id, entry);
      this.#waiting[job.kind].push(entry);
    }
    this.#status = 'started';
    this.#pump();
  }

  /**
   * Stops taking and starting jobs; running ones are aborted and end as they
   * would after a crash (INTERRUPTED, or back in the queue with
   * `resumeInterrupted`). Queued jobs stay queued in the store.
   */
  async stop(): Promise<void> {
    const wasStarted = this.#status === 'started';
    this.#status = 'stopped';
    if (!wasStarted) return;
    for (const kind of exportJobKinds) this.#waiting[kind] = [];
    for (const entry of this.#active.values()) {
      if (entry.job.state === 'exporting' && entry.stopReason === undefined) {
        entry.stopReason = 'shutdown';
        entry.controller.abort(new VigilError('CANCELED', 'the export queue is stopping'));
      }
    }
    await Promise.all([...this.#runs]);
    await Promise.all([...this.#active.values()].map((entry) => entry.settled));
    // After the runs: a job interrupted by this stop may have scheduled its removal meanwhile.
    this.#removals.clear();
    // What is left is queued: it stays queued in the store for the next start().
    for (const entry of this.#active.values()) entry.resolve();
    this.#active.clear();
  }

  /** Queues a job; resolves once it is stored. Throws QUEUE_FULL, CONFLICT (id taken) or INVALID_ARGUMENT. */
  async submit(input: SubmitExportJob<TSpec>): Promise<ExportJob<TSpec>> {
    if (this.#status !== 'started') {
      throw new VigilError('CONFLICT', `the export queue is ${this.#status === 'new' ? 'not started yet' : 'stopped'}`);
    }
    if (!exportJobKinds.includes(input.kind)) {
      throw invalidArgument('kind', `expected one of ${exportJobKinds.join(', ')}, got ${JSON.stringify(input.kind)}`);
    }
    if (typeof input.filePath !== 'string' || input.filePath === '') {
      throw invalidArgument('filePath', 'expected the path of the file to write, got an empty value');
    }
    if (this.#active.size >= this.#limits.maxLen) throw queueFull(this.#active.size, this.#limits.maxLen);
    const id = input.id ?? (this.#opts.newId ?? randomUUID)();
    if (this.#active.has(id)) throw duplicateId(id);
    const job: StoredExportJob<TSpec> = {
      id,
      seq: ++this.#seq,
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
    };
    // Reserved before the first await, so concurrent submits cannot overfill the queue.
    const entry = this.#newEntry(job, input.callback);
    this.#active.set(id, entry);
    const snapshot = publicJob(job);
    const inserted = this.#store.insert({ ...job });
    void entry.enqueue(() =>
      inserted.then(
        () => this.#announce({ type: 'state', job: snapshot, previous: undefined, atUs: job.createdAtUs }, entry),
        () => undefined,
      ),
    );
    try {
      await inserted;
    } catch (err) {
      this.#active.delete(id);
      throw isVigilError(err)
        ? err
        : new VigilError('STORAGE_FAILED', `saving export job "${id}" failed`, { cause: err });
    }
    // A cancel may have come while the row was being written.
    if (entry.job.state === 'in_queue' && this.#active.get(id) === entry) {
      this.#waiting[job.kind].push(entry);
      this.#pump();
    }
    return snapshot;
  }

  /**
   * Cancels a job in any state and resolves with it once settled: a queued
   * job is canceled at once; a running one once its runner has stopped (or
   * `cancelGraceMs` has passed) and its partial file is removed; a finished
   * one is returned unchanged. Throws NOT_FOUND for an unknown id.
   */
  async cancel(id: string): Promise<ExportJob<TSpec>> {
    const entry = this.#active.get(id);
    if (entry === undefined) return this.#storedJob(id);
    if (entry.job.state === 'in_queue') {
      const waiting = this.#waiting[entry.job.kind];
      const index = waiting.indexOf(entry);
      if (index >= 0) waiting.splice(index, 1);
      void this.#finish(entry, { state: 'canceled', finishedAtUs: this.#now() });
    } else if (entry.job.state === 'exporting' && entry.stopReason === undefined) {
      entry.stopReason = 'cancel';
      entry.controller.abort(new VigilError('CANCELED', `export job "${id}" was canceled`));
    }
    return entry.done;
  }

  /** Takes a finished job off the task list; its file stays. Throws CONFLICT for a job still queued or running. */
  async remove(id: string): Promise<void> {
    const entry = this.#active.get(id);
    if (entry !== undefined) {
      throw new VigilError('CONFLICT', `export job "${id}" is ${entry.job.state}: cancel it before removing it`);
    }
    if (!(await this.#store.delete(id))) throw jobNotFound(id);
    this.events.emit({ type: 'removed', id, atUs: this.#now() });
  }

  async get(id: string): Promise<ExportJob<TSpec> | undefined> {
    const entry = this.#active.get(id);
    if (entry !== undefined) return publicJob(entry.job);
    const stored = await this.#store.get(id);
    return stored === undefined ? undefined : publicJob(stored);
  }

  /** The task list in queue order (running jobs with their latest progress). */
  async list(): Promise<ExportJob<TSpec>[]> {
    const stored = await this.#store.list();
    return stored.map((job) => publicJob(this.#active.get(job.id)?.job ?? job));
  }

  /** Resolves when the job leaves this process's hands (finished, or left queued by `stop`). */
  async whenFinished(id: string): Promise<ExportJob<TSpec>> {
    const entry = this.#active.get(id);
    return entry === undefined ? this.#storedJob(id) : entry.done;
  }

  /** Job events from now on, for one reader (a Server-Sent Events response). */
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<ExportJobEvent<TSpec>> {
    return this.events.subscribe(options);
  }

  async #storedJob(id: string): Promise<ExportJob<TSpec>> {
    const stored = await this.#store.get(id);
    if (stored === undefined) throw jobNotFound(id);
    return publicJob(stored);
  }

  #pump(): void {
    if (this.#status !== 'started') return;
    for (const kind of exportJobKinds) {
      const waiting = this.#waiting[kind];
      while (this.#running[kind] < this.#limits.concurrency[kind]) {
        const entry = waiting.shift();
        if (entry === undefined) break;
        this.#running[kind] += 1;
        const run: Promise<void> = this.#execute(entry)
          .catch((err: unknown) => this.#logger.error({ err, id: entry.id }, 'export job run failed'))
          .finally(() => {
            this.#runs.delete(run);
            this.#running[kind] -= 1;
            this.#pump();
          });
        this.#runs.add(run);
      }
    }
  }

  async #execute(entry: QueueEntry<TSpec>): Promise<void> {
    // The row says `exporting` before the runner writes a byte, so a crash from here on is seen at restart.
    await this.#transition(entry, { state: 'exporting', startedAtUs: this.#now(), step: 'preparing', percent: 0 });
    const signal = entry.controller.signal;
    const job = publicJob(entry.job);
    entry.startRunning(this.#limits.intervalMs, this.#sink);
    const outcome: RunOutcome = signal.aborted
      ? { kind: 'failed', error: { code: 'CANCELED', message: 'canceled before the runner started' } }
      : await runWithGrace(
          () => this.#opts.runner.run(job, { signal, progress: (step, pct) => entry.report(step, pct, this.#sink) }),
          signal,
          this.#limits.graceMs,
        );
    entry.stopRunning();
    await this.#settleRun(entry, outcome);
  }

  async #settleRun(entry: QueueEntry<TSpec>, outcome: RunOutcome): Promise<void> {
    const { step, percent, filePath } = entry.job;
    if (entry.stopReason === undefined && outcome.kind === 'done') {
      const { result } = outcome;
      const patch = { state: 'success', step, percent: 100, filePath: result.filePath, bytes: result.bytes } as const;
      await this.#finish(entry, { ...patch, finishedAtUs: this.#now() });
      return;
    }
    const unresponsive = outcome.kind === 'unresponsive';
    // What a runner we gave up on writes later is removed once it finally stops.
    if (unresponsive) void outcome.settled.then(() => this.#removePartial(entry.id, filePath));
    await this.#removePartial(entry.id, filePath);
    if (outcome.kind === 'done' && outcome.result.filePath !== filePath) {
      await this.#removePartial(entry.id, outcome.result.filePath);
    }
    const ended = { step, percent, finishedAtUs: this.#now() };
    const lateStop = `the export runner did not stop within ${this.#limits.graceMs} ms of the abort and may still be running`;
    if (entry.stopReason === 'cancel') {
      const error = unresponsive ? { code: 'TIMEOUT' as const, message: `canceled, but ${lateStop}` } : undefined;
      await this.#finish(entry, { ...ended, state: 'canceled', error });
    } else if (entry.stopReason === 'shutdown' && this.#opts.resumeInterrupted === true) {
      await this.#transition(entry, requeuePatch);
      this.#release(entry);
    } else if (entry.stopReason === 'shutdown') {
      await this.#finish(entry, {
        ...ended,
        state: 'error',
        error: interruptedError(unresponsive ? `; ${lateStop}` : ''),
      });
    } else {
      const error = outcome.kind === 'failed' ? outcome.error : { code: 'INTERNAL' as const, message: lateStop };
      await this.#finish(entry, { ...ended, state: 'error', error });
    }
  }

  async #finish(entry: QueueEntry<TSpec>, patch: ExportJobPatch): Promise<void> {
    await this.#transition(entry, patch);
    const { id, state } = entry.job;
    await this.#removals.schedule(
      id,
      state,
      () => this.#removeFinished(id),
      () => entry.enqueue(() => this.#removeFinished(id)),
    );
    this.#release(entry);
  }

  async #removeFinished(id: string): Promise<void> {
    if (!(await this.#store.delete(id))) return;
    this.events.emit({ type: 'removed', id, atUs: this.#now() });
  }

  #release(entry: QueueEntry<TSpec>): void {
    if (this.#active.get(entry.id) === entry) this.#active.delete(entry.id);
    entry.resolve();
  }

  /** Applies `patch` now, then persists and announces it after this job's earlier steps. */
  #transition(entry: QueueEntry<TSpec>, patch: ExportJobPatch): Promise<void> {
    const previous = entry.job.state;
    Object.assign(entry.job, patch);
    const event: ExportJobStateEvent<TSpec> = { type: 'state', job: publicJob(entry.job), previous, atUs: this.#now() };
    return entry.enqueue(async () => {
      await this.#persist(entry.id, patch);
      this.#announce(event, entry);
    });
  }

  /** A failed write is logged, not thrown: the job carries on in memory and the next write may succeed. */
  async #persist(id: string, patch: ExportJobPatch): Promise<void> {
    try {
      await this.#store.update(id, patch);
    } catch (err) {
      this.#logger.error({ err, id }, 'saving an export job failed');
    }
  }

  #announce(event: ExportJobStateEvent<TSpec>, entry: QueueEntry<TSpec> | undefined): void {
    this.events.emit(event);
    const callback = entry?.callback ?? this.#opts.callback;
    if (callback !== undefined) {
      try {
        callback(event);
      } catch (err) {
        this.#logger.error({ err, id: event.job.id }, 'an export job callback threw');
      }
    }
    const webhooks = this.#opts.webhooks;
    const url = event.job.webhookUrl ?? webhooks?.globalUrl;
    if (webhooks !== undefined && url !== undefined) webhooks.send(event.job.id, url, stateEventToWebhookBody(event));
  }

  async #settleInterrupted(job: StoredExportJob<TSpec>): Promise<void> {
    await this.#removePartial(job.id, job.filePath);
    const patch: ExportJobPatch =
      this.#opts.resumeInterrupted === true
        ? requeuePatch
        : { state: 'error', finishedAtUs: this.#now(), error: interruptedError() };
    await this.#persist(job.id, patch);
    const event = {
      type: 'state',
      job: publicJob({ ...job, ...patch }),
      previous: 'exporting',
      atUs: this.#now(),
    } as const;
    this.#announce(event, undefined);
  }

  async #removePartial(id: string, path: string): Promise<void> {
    try {
      await (this.#opts.removePartial ?? removeFile)(path);
    } catch (err) {
      this.#logger.warn({ err, id, path }, 'removing the partial file of an export job failed');
    }
  }

  #newEntry(job: StoredExportJob<TSpec>, callback: QueueEntry<TSpec>['callback']): QueueEntry<TSpec> {
    return new QueueEntry(job, callback, (err) =>
      this.#logger.error({ err, id: job.id }, 'export job bookkeeping failed'),
    );
  }
}

async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
