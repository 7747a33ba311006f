/**
 * One job in this process's hands (queued or running): its in-memory state,
 * the promise chain that keeps its writes and announcements in order, and
 * the progress clock while it runs: reports are clamped by ProgressTracker,
 * an event goes out at least once per interval, and a write at most once.
 */
import { performance } from 'node:perf_hooks';
import type { ExportJobPatch, StoredExportJob } from './job-store.js';
import type { ExportJob, ExportJobCallback, ExportStep } from './job-types.js';
import { ProgressTracker } from './progress-tracker.js';

/** Progress events closer together than this wait for the next tick (a runner may report per frame). */
const MIN_PROGRESS_EVENT_GAP_MS = 100;

export interface ProgressSink {
  emitProgress(id: string, step: ExportStep, percent: number): void;
  persistProgress(id: string, patch: ExportJobPatch): Promise<void>;
}

export class QueueEntry<TSpec> {
  readonly job: StoredExportJob<TSpec>;
  readonly callback: ExportJobCallback<TSpec> | undefined;
  readonly controller = new AbortController();
  stopReason: 'cancel' | 'shutdown' | undefined;
  readonly done: Promise<ExportJob<TSpec>>;
  #resolveDone: (job: ExportJob<TSpec>) => void = () => undefined;
  #chain: Promise<void> = Promise.resolve();
  readonly #onChainError: (err: unknown) => void;
  #tracker = new ProgressTracker();
  #running = false;
  #ticker: NodeJS.Timeout | undefined;
  #lastEventMs = 0;
  #lastPersistMs = 0;
  #dirty = false;

  constructor(
    job: StoredExportJob<TSpec>,
    callback: ExportJobCallback<TSpec> | undefined,
    onChainError: (err: unknown) => void,
  ) {
    this.job = job;
    this.callback = callback;
    this.#onChainError = onChainError;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  get id(): string {
    return this.job.id;
  }

  /** Resolves when every step enqueued so far has run. */
  get settled(): Promise<void> {
    return this.#chain;
  }

  /** Runs `step` after this job's earlier steps; a failing step is reported, not propagated. */
  enqueue(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(step).catch(this.#onChainError);
    return this.#chain;
  }

  /** The job leaves this process's hands: whoever waits on it gets its last state. */
  resolve(): void {
    this.stopRunning();
    this.#resolveDone(publicJob(this.job));
  }

  startRunning(intervalMs: number, sink: ProgressSink): void {
    this.#tracker = new ProgressTracker(this.job.step ?? 'preparing', this.job.percent);
    this.#running = true;
    this.#lastEventMs = this.#lastPersistMs = performance.now();
    // Twice per interval, so two events are never more than one interval apart. Not unref'd:
    // a running export is work the process must finish (a CLI export has nothing else alive).
    this.#ticker = setInterval(() => this.#tick(intervalMs, sink), intervalMs / 2);
  }

  stopRunning(): void {
    this.#running = false;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** A runner's report; ignored once the job is stopping or stopped. */
  report(step: ExportStep, percent: number, sink: ProgressSink): void {
    if (!this.#running || this.stopReason !== undefined) return;
    const { stepChanged, percentChanged } = this.#tracker.report(step, percent);
    if (!stepChanged && !percentChanged) return;
    this.job.step = this.#tracker.step;
    this.job.percent = this.#tracker.percent;
    this.#dirty = true;
    const nowMs = performance.now();
    if (stepChanged || nowMs - this.#lastEventMs >= MIN_PROGRESS_EVENT_GAP_MS) this.#emit(nowMs, sink);
  }

  #tick(intervalMs: number, sink: ProgressSink): void {
    if (!this.#running) return;
    const nowMs = performance.now();
    if (nowMs - this.#lastEventMs >= intervalMs / 2) this.#emit(nowMs, sink);
    if (this.#dirty && nowMs - this.#lastPersistMs >= intervalMs) {
      this.#dirty = false;
      this.#lastPersistMs = nowMs;
      const patch: ExportJobPatch = { step: this.job.step, percent: this.job.percent };
      void this.enqueue(() => sink.persistProgress(this.id, patch));
    }
  }

  #emit(nowMs: number, sink: ProgressSink): void {
    this.#lastEventMs = nowMs;
    sink.emitProgress(this.id, this.job.step ?? 'preparing', this.job.percent);
  }
}

/** A job as callers see it: a copy, without the store's queue order. */
export function publicJob<TSpec>(job: StoredExportJob<TSpec> | ExportJob<TSpec>): ExportJob<TSpec> {
  const { seq: _seq, ...rest } = job as StoredExportJob<TSpec>;
  return rest;
}
