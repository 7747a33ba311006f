/**
 * `VideoExporter`: the reference export module's class in TypeScript naming,
 * over Vigil's export queue, in this process or on a server:
 *
 *   const ve = new VideoExporter({ server: { url, token }, callback });
 *   const { taskGuid, filePath } = await ve.export('cam1', new Date(Date.now() - 15_000), { duration: 15 });
 *
 * It follows the tasks it created: their state changes go to the callback
 * (in_queue → exporting → success | error | canceled, each once, in order),
 * their progress to `onProgress`, and a finished one whose state is in
 * `cancelTaskWithStates` leaves the task list (its file stays).
 */
import { randomUUID } from 'node:crypto';
import { invalidArgument, isVigilError, VigilError, messageOf } from '../../errors.js';
import { parseDurationToUs, parseTimeToUs, secondsToUs, US_PER_MS } from '../../time.js';
import type { ExportJobs } from '../jobs/export-jobs.js';
import { autoRemovalStates, DEFAULT_QUEUE_MAX_LEN, queueFull } from '../queue/queue-options.js';
import { DEFAULT_DURATION_SECONDS } from '../request/export-range.js';
import { formatFileNameTime, renderFileName } from '../request/file-name.js';
import type { ExportJobRequest } from '../request/types.js';
import { ExportStatus } from './export-status.js';
import { HttpBackend } from './http-backend.js';
import type { ServerTarget } from './http-client.js';
import { InProcessBackend } from './in-process-backend.js';
import type {
  ExportBackend,
  ExportCallback,
  ExportCallOptions,
  ExportProgressCallback,
  ExportResult,
  ExportTask,
  TaskEvent,
} from './types.js';

export interface VideoExporterOptions {
  /** Every state change of this exporter's tasks (unless a task has its own). */
  callback?: ExportCallback;
  onProgress?: ExportProgressCallback;
  /** Tasks of this exporter waiting or running; one more is refused with QUEUE_FULL. 1000 by default. */
  queueMaxLen?: number;
  exportFolder?: string;
  fileNameTemplate?: string;
  /** `['success', 'error']` by default, as in the reference; `[]` keeps every task listed. */
  cancelTaskWithStates?: readonly ExportStatus[];
  /** In this process: the export jobs of a Vigil started here. */
  jobs?: ExportJobs;
  /** Or a running server. */
  server?: ServerTarget;
  /** Where an exception thrown by a callback goes; a process warning by default. */
  onCallbackError?: (err: unknown) => void;
}

interface Followed {
  state: ExportStatus | undefined;
  step: string | undefined;
  percent: number;
  callback: ExportCallback | undefined;
  onProgress: ExportProgressCallback | undefined;
  waiters: Array<{ resolve: (task: ExportTask) => void; reject: (err: unknown) => void }>;
}

/** Finished tasks remembered for `whenFinished` after the fact. */
const MAX_REMEMBERED = 1_000;

function checkTime(value: unknown, field: string): void {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidArgument(field, 'got an invalid Date');
    return;
  }
  parseTimeToUs(value, field);
}

function timeToUs(value: Date | number | string, field: string): number {
  return value instanceof Date ? value.getTime() * US_PER_MS : parseTimeToUs(value, field);
}

export class VideoExporter {
  /** Where exports go when `export()` names no `filePath`; the server's first export root when undefined. */
  exportFolder: string | undefined;
  /**
   * Undefined: the server's template (`exports.file_name_template`). Set, the
   * name is rendered here: `{name}` and `{stream}` are then both the stream's
   * name, times are in the request's `tz` (UTC when absent).
   */
  fileNameTemplate: string | undefined;
  callback: ExportCallback | undefined;
  onProgress: ExportProgressCallback | undefined;
  readonly queueMaxLen: number;
  readonly #backend: ExportBackend;
  readonly #followed = new Map<string, Followed>();
  readonly #finished = new Map<string, ExportTask>();
  readonly #onCallbackError: (err: unknown) => void;
  #cancelStates: Set<ExportStatus>;
  #closed = false;

  constructor(options: VideoExporterOptions) {
    if ((options.jobs === undefined) === (options.server === undefined)) {
      throw invalidArgument('server', 'give either jobs (a Vigil in this process) or server ({ url, token })');
    }
    this.#backend = options.jobs !== undefined ? new InProcessBackend(options.jobs) : new HttpBackend(options.server!);
    const maxLen = options.queueMaxLen ?? DEFAULT_QUEUE_MAX_LEN;
    if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
      throw invalidArgument('queueMaxLen', `expected a whole number >= 1, got ${String(maxLen)}`);
    }
    this.queueMaxLen = maxLen;
    this.exportFolder = options.exportFolder;
    this.fileNameTemplate = options.fileNameTemplate;
    this.callback = options.callback;
    this.onProgress = options.onProgress;
    this.#cancelStates = autoRemovalStates(options.cancelTaskWithStates ?? ['success', 'error']);
    this.#onCallbackError =
      options.onCallbackError ?? ((err) => process.emitWarning(`a VideoExporter callback threw: ${messageOf(err)}`));
  }

  get cancelTaskWithStates(): readonly ExportStatus[] {
    return [...this.#cancelStates];
  }

  /** Applies to tasks that finish from now on. */
  set cancelTaskWithStates(states: readonly ExportStatus[]) {
    this.#cancelStates = autoRemovalStates(states);
  }

  /**
   * Queues an export of `channel` from `dtStart` (a Date, ISO 8601 with a
   * zone, or Unix seconds) to `dtEnd`, or for `duration` seconds (60 by
   * default). Resolves once queued, with the task's id and final path.
   */
  async export(channel: string, dtStart: Date | number | string, opts: ExportCallOptions = {}): Promise<ExportResult> {
    if (this.#closed) throw new VigilError('CONFLICT', 'this VideoExporter is closed');
    if (typeof channel !== 'string' || channel.trim() === '') {
      throw invalidArgument('channel', `expected a stream name, got ${JSON.stringify(channel)}`);
    }
    checkTime(dtStart, 'dtStart');
    if (opts.dtEnd !== undefined) checkTime(opts.dtEnd, 'dtEnd');
    if (opts.duration !== undefined) parseDurationToUs(opts.duration, 'duration');
    const active = [...this.#followed.values()].filter(
      (f) => f.state === undefined || !ExportStatus.isFinished(f.state),
    );
    if (active.length >= this.queueMaxLen) throw queueFull(active.length, this.queueMaxLen);
    const taskGuid = opts.taskGuid ?? randomUUID();
    if (this.#followed.has(taskGuid)) {
      throw new VigilError('CONFLICT', `taskGuid: a task with id "${taskGuid}" already exists; choose another`, {
        field: 'taskGuid',
      });
    }
    const request: ExportJobRequest = {
      stream: channel,
      dtStart,
      ...(opts.dtEnd !== undefined && { dtEnd: opts.dtEnd }),
      ...(opts.duration !== undefined && { duration: opts.duration }),
      ...(opts.preferSubstream !== undefined && { preferSubstream: opts.preferSubstream }),
      ...(opts.container !== undefined && { container: opts.container }),
      ...(opts.tz !== undefined && { tz: opts.tz }),
      ...(opts.options !== undefined && { options: opts.options }),
      taskGuid,
    };
    const fileName = opts.fileName ?? this.#renderName(channel, dtStart, opts, taskGuid);
    if (fileName !== undefined) request.fileName = fileName;
    const filePath = opts.filePath ?? this.exportFolder;
    if (filePath !== undefined) request.filePath = filePath;

    // Followed before it exists: its first events may arrive before the submit answers.
    const followed: Followed = {
      state: undefined,
      step: undefined,
      percent: 0,
      callback: opts.callback,
      onProgress: opts.onProgress,
      waiters: [],
    };
    this.#followed.set(taskGuid, followed);
    let task: ExportTask;
    try {
      await this.#backend.watch(
        (event) => this.#onEvent(event),
        () => void this.#resync(),
      );
      task = await this.#backend.submit(request, opts.webhookUrl);
    } catch (err) {
      if (this.#followed.get(taskGuid) === followed) this.#followed.delete(taskGuid);
      this.#unwatchWhenIdle();
      throw err;
    }
    if (followed.state === undefined) this.#observe(task);
    return { taskGuid: task.taskGuid, filePath: task.filePath };
  }

  /** Cancels a task in any state; resolves with it once settled (a finished one is returned as it is). */
  async cancel(taskGuid: string): Promise<ExportTask> {
    const task = await this.#backend.cancel(taskGuid);
    this.#observe(task);
    return task;
  }

  /** The task list (every task of the queue, not only this exporter's), oldest first. */
  tasks(): Promise<ExportTask[]> {
    return this.#backend.list();
  }

  /** One task, or undefined when it is not (or no longer) in the task list. */
  task(taskGuid: string): Promise<ExportTask | undefined> {
    return this.#backend.get(taskGuid);
  }

  /** Resolves with the task once it is success, error or canceled. */
  async whenFinished(taskGuid: string): Promise<ExportTask> {
    const remembered = this.#finished.get(taskGuid);
    if (remembered !== undefined) return remembered;
    let followed = this.#followed.get(taskGuid);
    if (followed === undefined) {
      const task = await this.#backend.get(taskGuid);
      if (task === undefined) throw new VigilError('NOT_FOUND', `no export task has id "${taskGuid}"`);
      if (ExportStatus.isFinished(task.state)) return task;
      // Someone else's task: followed for its end only, without this exporter's callbacks.
      const quiet = (): void => undefined;
      followed = {
        state: task.state,
        step: task.step,
        percent: task.percent,
        callback: quiet,
        onProgress: quiet,
        waiters: [],
      };
      this.#followed.set(taskGuid, followed);
      await this.#backend.watch(
        (event) => this.#onEvent(event),
        () => void this.#resync(),
      );
      // It may have finished before the watch began.
      void this.#backend.get(taskGuid).then(
        (t) => t !== undefined && this.#observe(t),
        () => undefined,
      );
    }
    const target = followed;
    return new Promise((resolve, reject) => target.waiters.push({ resolve, reject }));
  }

  /** Stops following tasks (they go on running) and closes the connection; waiting `whenFinished` calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const [taskGuid, followed] of this.#followed) {
      const err = new VigilError('CANCELED', `the VideoExporter was closed before task "${taskGuid}" finished`);
      for (const waiter of followed.waiters) waiter.reject(err);
    }
    this.#followed.clear();
    await this.#backend.close();
  }

  #renderName(channel: string, dtStart: Date | number | string, opts: ExportCallOptions, taskGuid: string) {
    const template = this.fileNameTemplate;
    if (template === undefined) return undefined;
    const fromUs = timeToUs(dtStart, 'dtStart');
    const toUs =
      opts.dtEnd !== undefined
        ? timeToUs(opts.dtEnd, 'dtEnd')
        : fromUs + secondsToUs(opts.duration ?? DEFAULT_DURATION_SECONDS);
    const zone = opts.tz ?? 'UTC';
    const rendered = renderFileName(template, {
      name: channel,
      stream: channel,
      dt_start: formatFileNameTime(fromUs, zone),
      dt_end: formatFileNameTime(toUs, zone),
      sub: opts.preferSubstream === true ? ' (sub)' : '',
      // Left to the server, which appends the container it chooses (AVI for WMV, say).
      ext: opts.container ?? '',
      task_id: taskGuid,
    });
    return rendered.replace(/\.$/, '');
  }

  #onEvent(event: TaskEvent): void {
    if (event.type === 'state') {
      this.#observe(event.task);
      return;
    }
    const followed = this.#followed.get(event.taskGuid);
    if (followed?.state !== 'exporting') return;
    if (event.step === followed.step && event.percent <= followed.percent) return;
    followed.step = event.step;
    followed.percent = Math.max(followed.percent, event.percent);
    this.#call(() => (followed.onProgress ?? this.onProgress)?.(event.taskGuid, event.step, followed.percent));
  }

  /** A task as seen now: calls back once per new state, settles waiters, auto-removes. */
  #observe(task: ExportTask): void {
    const followed = this.#followed.get(task.taskGuid);
    if (followed === undefined || followed.state === task.state) return;
    followed.state = task.state;
    followed.step = task.step;
    followed.percent = Math.max(followed.percent, task.percent);
    this.#call(() => (followed.callback ?? this.callback)?.(task.taskGuid, task.state, task));
    if (!ExportStatus.isFinished(task.state)) return;
    this.#followed.delete(task.taskGuid);
    this.#remember(task);
    for (const waiter of followed.waiters) waiter.resolve(task);
    if (this.#cancelStates.has(task.state)) {
      // The server may have removed it already (its own exports.cancel_task_with_states).
      this.#backend.remove(task.taskGuid).catch((err: unknown) => {
        if (!isVigilError(err, 'NOT_FOUND') && !isVigilError(err, 'CANCELED')) this.#onCallbackError(err);
      });
    }
    this.#unwatchWhenIdle();
  }

  /** After the event stream came back: read every followed task again. */
  async #resync(): Promise<void> {
    for (const [taskGuid, followed] of [...this.#followed]) {
      if (followed.state === undefined) continue;
      let task: ExportTask | undefined;
      try {
        task = await this.#backend.get(taskGuid);
      } catch {
        continue;
      }
      if (task !== undefined) {
        this.#observe(task);
        continue;
      }
      this.#followed.delete(taskGuid);
      const err = new VigilError(
        'NOT_FOUND',
        `export task "${taskGuid}" left the task list while the event stream was down; its final state is unknown`,
      );
      for (const waiter of followed.waiters) waiter.reject(err);
    }
    this.#unwatchWhenIdle();
  }

  #remember(task: ExportTask): void {
    this.#finished.set(task.taskGuid, task);
    if (this.#finished.size > MAX_REMEMBERED) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
  }

  /** With nothing left to follow, the event stream is closed, so an idle exporter keeps no process alive. */
  #unwatchWhenIdle(): void {
    if (this.#followed.size === 0) this.#backend.unwatch();
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#onCallbackError(err);
    }
  }
}
