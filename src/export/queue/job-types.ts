/**
 * The export queue's contracts. The queue is generic over what a job does: it
 * stores a JSON spec, hands the job to a runner and keeps its state, progress
 * and file. Times are UTC microseconds; sizes are bytes.
 */
import type { ErrorCode } from '../../errors.js';

/** Stream copy is I/O-bound, transcode CPU-bound: each kind has its own concurrency limit. */
export type ExportJobKind = 'copy' | 'transcode';
export const exportJobKinds: readonly ExportJobKind[] = ['copy', 'transcode'];

export type ExportJobState = 'in_queue' | 'exporting' | 'success' | 'error' | 'canceled';
export const exportJobStates: readonly ExportJobState[] = ['in_queue', 'exporting', 'success', 'error', 'canceled'];

/** States a job never leaves. */
export function isFinishedState(state: ExportJobState): boolean {
  return state === 'success' || state === 'error' || state === 'canceled';
}

/**
 * The reference module's numeric states, for clients that want them:
 * 0 in queue, 1 exporting, 2 success, 3 failed. The reference has no code for
 * a canceled task; it did not produce its file, so it reads as 3 (failed).
 */
export type ExportStateCode = 0 | 1 | 2 | 3;

const stateCodes: Record<ExportJobState, ExportStateCode> = {
  in_queue: 0,
  exporting: 1,
  success: 2,
  error: 3,
  canceled: 3,
};

export function exportStateCode(state: ExportJobState): ExportStateCode {
  return stateCodes[state];
}

/** Every state a numeric code stands for (3 → error and canceled). */
export function statesOfCode(code: ExportStateCode): ExportJobState[] {
  return exportJobStates.filter((state) => stateCodes[state] === code);
}

export type ExportStep = 'preparing' | 'copying' | 'encoding' | 'encoding_retry' | 'finalizing';
export const exportSteps: readonly ExportStep[] = ['preparing', 'copying', 'encoding', 'encoding_retry', 'finalizing'];

/**
 * Why a job failed: the VigilError code the runner threw (INTERNAL for
 * anything else), TIMEOUT when a canceled runner did not stop in time, or
 * INTERRUPTED when the process stopped while the job ran. INTERRUPTED is a
 * job outcome, never thrown, so it has no row (and no HTTP status) in the
 * error table.
 */
export type ExportJobErrorCode = ErrorCode | 'INTERRUPTED';

export interface ExportJobError {
  code: ExportJobErrorCode;
  message: string;
}

export interface ExportJob<TSpec = unknown> {
  id: string;
  kind: ExportJobKind;
  /** What to export, as the request layer normalized it (JSON-serializable). */
  spec: TSpec;
  state: ExportJobState;
  /** Undefined until the job starts. */
  step: ExportStep | undefined;
  /** 0–100, never decreasing while the job runs; 100 only at success. */
  percent: number;
  createdAtUs: number;
  startedAtUs: number | undefined;
  finishedAtUs: number | undefined;
  error: ExportJobError | undefined;
  /** The final path, known when the job is created; a runner may report another one at success. */
  filePath: string;
  /** Size of the file, at success. */
  bytes: number | undefined;
  /** Where state changes are POSTed; undefined → the global webhook, if any. */
  webhookUrl: string | undefined;
}

/** What the runner reports while it works. Out-of-range or backward values are clamped, not refused. */
export type ProgressReporter = (step: ExportStep, percent: number) => void;

export interface RunContext {
  /** Aborted when the job is canceled or the queue stops: stop and reject soon after. */
  signal: AbortSignal;
  progress: ProgressReporter;
}

export interface RunResult {
  filePath: string;
  bytes: number;
}

/**
 * Produces a job's file. It writes to `job.filePath` (or next to it); on
 * cancel or failure the queue removes whatever is there via `removePartial`.
 */
export interface ExportRunner<TSpec = unknown> {
  run(job: ExportJob<TSpec>, context: RunContext): Promise<RunResult>;
}

export type ExportJobEvent<TSpec = unknown> =
  | {
      type: 'state';
      job: ExportJob<TSpec>;
      /** Undefined when the job was just submitted. */
      previous: ExportJobState | undefined;
      atUs: number;
    }
  | { type: 'progress'; id: string; step: ExportStep; percent: number; atUs: number }
  /** The job left the task list (auto-removal or `remove`); its file stays. */
  | { type: 'removed'; id: string; atUs: number };

export type ExportJobStateEvent<TSpec = unknown> = Extract<ExportJobEvent<TSpec>, { type: 'state' }>;

/** Called on every state change of a job (the library face's callback); must not throw, errors are logged. */
export type ExportJobCallback<TSpec = unknown> = (event: ExportJobStateEvent<TSpec>) => void;

/** The part of a pino logger the queue uses. */
export interface QueueLogger {
  /** Optional: where a job ran, for operators following a job across cluster nodes. */
  info?(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: QueueLogger = { warn: () => undefined, error: () => undefined };
