/** The export queue's options, their defaults and checks, and the errors the queue throws. */
import { invalidArgument, VigilError } from '../../errors.js';
import type { ExportJobPatch, JobStore } from './job-store.js';
import {
  type ExportJobCallback,
  type ExportJobError,
  type ExportJobKind,
  type ExportJobState,
  exportJobStates,
  type ExportRunner,
  isFinishedState,
  type QueueLogger,
} from './job-types.js';
import type { WebhookNotifier } from './webhook-notifier.js';

export const DEFAULT_QUEUE_MAX_LEN = 1_000;
/** Suits 2 cores: copies are I/O-bound and overlap well, one transcode fills the CPU. */
export const DEFAULT_CONCURRENCY: Readonly<Record<ExportJobKind, number>> = { copy: 2, transcode: 1 };
export const DEFAULT_CANCEL_TASK_WITH_STATES: readonly ExportJobState[] = ['success', 'error'];
export const DEFAULT_CANCEL_GRACE_MS = 5_000;
export const DEFAULT_PROGRESS_INTERVAL_MS = 1_000;

export interface ExportQueueOptions<TSpec> {
  store: JobStore<TSpec>;
  runner: ExportRunner<TSpec>;
  /** Jobs waiting or running; one more is refused with QUEUE_FULL (HTTP 429). */
  queueMaxLen?: number;
  concurrency?: Partial<Record<ExportJobKind, number>>;
  /** Finished states whose jobs leave the task list at once (the reference's cancel_task_with_states); [] keeps all. */
  cancelTaskWithStates?: readonly ExportJobState[];
  /**
   * How long a finished job in one of those states stays listed first (default 0: it leaves at once).
   * A task list (the web UI) can then still offer the download; the file itself is never removed.
   */
  removeFinishedAfterMs?: number;
  /** After a restart, put jobs that were exporting back in the queue instead of failing them as INTERRUPTED. */
  resumeInterrupted?: boolean;
  /** Removes what a canceled, failed or interrupted job left at its path (default: delete the file if present). */
  removePartial?: (path: string) => Promise<void>;
  /** Called on every state change of jobs submitted without their own callback. */
  callback?: ExportJobCallback<TSpec>;
  /** POSTs every state change to the job's URL or the notifier's global one. The owner closes it. */
  webhooks?: WebhookNotifier;
  /** How long a canceled runner may take to stop before the job is settled without it. */
  cancelGraceMs?: number;
  /** Progress is persisted at most once per interval, and an event goes out at least once per interval. */
  progressIntervalMs?: number;
  now?: () => number;
  newId?: () => string;
  logger?: QueueLogger;
}

export interface SubmitExportJob<TSpec> {
  /** The task id; a random UUID when absent. */
  id?: string;
  kind: ExportJobKind;
  spec: TSpec;
  /** Where the runner writes the file (already confined and made unique by the request layer). */
  filePath: string;
  webhookUrl?: string;
  /** Replaces the queue's callback for this job. Not persisted: a restart forgets it. */
  callback?: ExportJobCallback<TSpec>;
}

export interface QueueLimits {
  maxLen: number;
  concurrency: Record<ExportJobKind, number>;
  graceMs: number;
  intervalMs: number;
}

export function queueLimits(
  options: Pick<ExportQueueOptions<unknown>, 'queueMaxLen' | 'concurrency' | 'cancelGraceMs' | 'progressIntervalMs'>,
): QueueLimits {
  const concurrency = options.concurrency ?? {};
  return {
    maxLen: positiveInteger(options.queueMaxLen ?? DEFAULT_QUEUE_MAX_LEN, 'queueMaxLen'),
    concurrency: {
      copy: positiveInteger(concurrency.copy ?? DEFAULT_CONCURRENCY.copy, 'concurrency.copy'),
      transcode: positiveInteger(concurrency.transcode ?? DEFAULT_CONCURRENCY.transcode, 'concurrency.transcode'),
    },
    graceMs: positiveInteger(options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS, 'cancelGraceMs'),
    intervalMs: positiveInteger(options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS, 'progressIntervalMs'),
  };
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalidArgument(field, `expected a whole number >= 1, got ${String(value)}`);
  }
  return value;
}

/** Only finished states can be removed from the list: a queued or running job is still someone's work. */
export function autoRemovalStates(states: readonly ExportJobState[]): Set<ExportJobState> {
  for (const state of states) {
    if (!exportJobStates.includes(state) || !isFinishedState(state)) {
      throw invalidArgument(
        'cancelTaskWithStates',
        `expected finished states (success, error, canceled), got ${JSON.stringify(state)}`,
      );
    }
  }
  return new Set(states);
}

export const requeuePatch: ExportJobPatch = { state: 'in_queue', step: undefined, percent: 0, startedAtUs: undefined };

export function interruptedError(detail = ''): ExportJobError {
  return {
    code: 'INTERRUPTED',
    message: `interrupted: the server stopped while this job was exporting; its partial file was removed${detail}. Submit it again.`,
  };
}

export function queueFull(active: number, maxLen: number): VigilError {
  return new VigilError(
    'QUEUE_FULL',
    `the export queue is full: ${active} jobs are waiting or running (queueMaxLen ${maxLen}); try again when some have finished`,
  );
}

export function duplicateId(id: string): VigilError {
  return new VigilError('CONFLICT', `id: an export job with id "${id}" already exists; choose another id`, {
    field: 'id',
  });
}

export function jobNotFound(id: string): VigilError {
  return new VigilError('NOT_FOUND', `no export job has id "${id}"`);
}
