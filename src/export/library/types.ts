/**
 * The library face's shapes. A task reads the same whichever way the
 * exporter reaches the queue (in this process or over HTTP): camelCase,
 * times as Dates, the reference's numeric state code beside the state.
 */
import type { ExportJobErrorCode, ExportJobKind, ExportStateCode, ExportStep } from '../queue/job-types.js';
import type { ExportJobRequest, ExportOptions } from '../request/types.js';
import type { ExportStatus } from './export-status.js';

export interface ExportTask {
  taskGuid: string;
  kind: ExportJobKind;
  state: ExportStatus;
  stateCode: ExportStateCode;
  /** Undefined until the task starts. */
  step: ExportStep | undefined;
  /** 0–100, never decreasing; 100 only at success. */
  percent: number;
  filePath: string;
  fileName: string;
  /** Size of the file, at success. */
  bytes: number | undefined;
  error: { code: ExportJobErrorCode; message: string } | undefined;
  stream: string;
  from: Date;
  to: Date;
  transcode: boolean;
  createdAt: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
}

/** Called on every state change of a task (the reference's `callback(guid, state)`, plus the task). */
export type ExportCallback = (taskGuid: string, state: ExportStatus, task: ExportTask) => void;

/** Called as a running task moves on: its step and percent (at least once a second). */
export type ExportProgressCallback = (taskGuid: string, step: ExportStep, percent: number) => void;

/** What `export()` takes after the channel and the start. */
export interface ExportCallOptions {
  dtEnd?: Date | number | string;
  /** Seconds; used when dtEnd is absent; 60 by default. */
  duration?: number;
  preferSubstream?: boolean;
  fileName?: string;
  /** A directory or file inside one of the server's export roots; `exportFolder` when absent. */
  filePath?: string;
  /** `mp4` (default), `mkv`, `ts` or `avi`. */
  container?: string;
  /** IANA zone of the file name and the clock watermark; the server's zone when absent. */
  tz?: string;
  options?: ExportOptions;
  /** Replaces the exporter's callback for this task. */
  callback?: ExportCallback;
  onProgress?: ExportProgressCallback;
  /** A random UUID when absent. */
  taskGuid?: string;
  /** State changes of this task are also POSTed here. */
  webhookUrl?: string;
}

export interface ExportResult {
  taskGuid: string;
  /** The final path, known before the task runs (no file is ever overwritten). */
  filePath: string;
}

/** One change of a task, as a backend reports it. */
export type TaskEvent =
  { type: 'state'; task: ExportTask } | { type: 'progress'; taskGuid: string; step: ExportStep; percent: number };

/**
 * How the exporter reaches a queue: in this process, or a server over HTTP.
 * Errors are VigilErrors in both, with the same codes and fields.
 */
export interface ExportBackend {
  /**
   * Starts delivering events (HTTP: opens the event stream); resolves once
   * none can be missed. `onGap` is called when some may have been (the
   * stream broke and came back): the owner reads its tasks again.
   */
  watch(onEvent: (event: TaskEvent) => void, onGap: () => void): Promise<void>;
  /** Stops delivering events (the HTTP event stream is closed). */
  unwatch(): void;
  submit(request: ExportJobRequest, webhookUrl: string | undefined): Promise<ExportTask>;
  get(taskGuid: string): Promise<ExportTask | undefined>;
  list(): Promise<ExportTask[]>;
  cancel(taskGuid: string): Promise<ExportTask>;
  /** Takes a finished task off the list (its file stays); NOT_FOUND when it is not there. */
  remove(taskGuid: string): Promise<void>;
  close(): Promise<void>;
}
