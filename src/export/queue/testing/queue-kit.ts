/**
 * Test kit for the export queue: a real index DB in a temp dir, a runner the
 * test drives job by job (it writes a real partial file, then succeeds,
 * fails or stops when told), and waits on queue events instead of sleeps.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { type Database, openDatabase } from '../../../archive/index/database.js';
import { makeTempDir } from '../../../archive/testing/fixtures.js';
import { ExportQueue } from '../export-queue.js';
import type { ExportQueueOptions } from '../queue-options.js';
import type { ExportJobPatch } from '../job-store.js';
import type {
  ExportJob,
  ExportJobEvent,
  ExportJobKind,
  ExportRunner,
  ProgressReporter,
  RunContext,
  RunResult,
} from '../job-types.js';
import { SqlJobStore } from '../sql-job-store.js';

export interface TestSpec {
  label: string;
}

export interface QueueDb {
  db: Kysely<Database>;
  dir: string;
  store: RecordingStore;
  close(): Promise<void>;
}

/** The SQL store, recording every update so tests can check what was persisted. */
export class RecordingStore extends SqlJobStore<TestSpec> {
  readonly updates: Array<{ id: string; patch: ExportJobPatch }> = [];

  override async update(id: string, patch: ExportJobPatch): Promise<boolean> {
    this.updates.push({ id, patch: { ...patch } });
    return super.update(id, patch);
  }
}

/**
 * A fresh index and a temp dir for the job files. `index` picks where the
 * index lives (test/helpers/index-dialects.ts: SQLite or PostgreSQL); an
 * SQLite file in the temp dir by default.
 */
export async function openQueueDb(index?: { newLocation(): Promise<string> }): Promise<QueueDb> {
  const tmp = await makeTempDir('vigil-queue-');
  const db = await openDatabase(index === undefined ? join(tmp.dir, 'index.sqlite') : await index.newLocation());
  return {
    db,
    dir: tmp.dir,
    store: new RecordingStore(db),
    close: async () => {
      await db.destroy();
      await tmp.cleanup();
    },
  };
}

export const PARTIAL_BYTES = 'partial';
export const FINAL_BYTES = 'the whole export';

/** One call of the controlled runner, as the test sees it. */
export interface RunHandle {
  job: ExportJob<TestSpec>;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** Writes the whole file and resolves the run. */
  succeed(): Promise<void>;
  fail(error: unknown): void;
  /** Settles a run that ignores aborts (it then "finishes", writing its file late). */
  finishLate(): Promise<void>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class ControlledRunner implements ExportRunner<TestSpec> {
  readonly startOrder: string[] = [];
  readonly running: Record<ExportJobKind, number> = { copy: 0, transcode: 0 };
  readonly maxRunning: Record<ExportJobKind, number> = { copy: 0, transcode: 0 };
  /** Jobs whose run ignores the abort signal. */
  readonly ignoresAbort = new Set<string>();
  readonly #started = new Map<string, Deferred<RunHandle>>();

  /** Resolves once the job's run has begun (and written its partial file). */
  started(id: string): Promise<RunHandle> {
    return this.#deferred(id).promise;
  }

  async run(job: ExportJob<TestSpec>, { signal, progress }: RunContext): Promise<RunResult> {
    this.startOrder.push(job.id);
    this.running[job.kind] += 1;
    this.maxRunning[job.kind] = Math.max(this.maxRunning[job.kind], this.running[job.kind]);
    try {
      await writeFile(job.filePath, PARTIAL_BYTES);
      return await new Promise<RunResult>((resolve, reject) => {
        const writeAll = async (): Promise<void> => {
          await writeFile(job.filePath, FINAL_BYTES);
          resolve({ filePath: job.filePath, bytes: Buffer.byteLength(FINAL_BYTES) });
        };
        if (!this.ignoresAbort.has(job.id)) {
          if (signal.aborted) reject(signal.reason as Error);
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        }
        this.#deferred(job.id).resolve({
          job,
          signal,
          progress,
          succeed: writeAll,
          fail: reject,
          finishLate: writeAll,
        });
      });
    } finally {
      this.running[job.kind] -= 1;
    }
  }

  #deferred(id: string): Deferred<RunHandle> {
    let d = this.#started.get(id);
    if (d === undefined) {
      d = deferred<RunHandle>();
      this.#started.set(id, d);
    }
    return d;
  }
}

export function makeQueue(
  qdb: QueueDb,
  runner: ExportRunner<TestSpec>,
  options: Partial<ExportQueueOptions<TestSpec>> = {},
): ExportQueue<TestSpec> {
  return new ExportQueue<TestSpec>({ store: qdb.store, runner, ...options });
}

/** Resolves with the first event that matches; subscribe before doing what causes it. */
export function nextEvent(
  queue: ExportQueue<TestSpec>,
  matches: (event: ExportJobEvent<TestSpec>) => boolean,
): Promise<ExportJobEvent<TestSpec>> {
  return new Promise((resolve) => {
    const off = queue.events.on((event) => {
      if (!matches(event)) return;
      off();
      resolve(event);
    });
  });
}

export function stateIs(id: string, state: ExportJob['state']): (event: ExportJobEvent<TestSpec>) => boolean {
  return (event) => event.type === 'state' && event.job.id === id && event.job.state === state;
}

/** Every event the queue emits, in order. */
export function recordEvents(queue: ExportQueue<TestSpec>): ExportJobEvent<TestSpec>[] {
  const events: ExportJobEvent<TestSpec>[] = [];
  queue.events.on((event) => events.push(event));
  return events;
}
