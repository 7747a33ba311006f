/**
 * Where the queue keeps its jobs. Small on purpose: the embedded server uses
 * the index DB (sql-job-store.ts); a cluster can put pg-boss or BullMQ behind
 * the same calls.
 */
import type { ExportJob, ExportJobState } from './job-types.js';

/** The fields a job changes after it is created. */
export type ExportJobPatch = Partial<
  Pick<
    ExportJob,
    'state' | 'step' | 'percent' | 'startedAtUs' | 'finishedAtUs' | 'error' | 'filePath' | 'bytes' | 'webhookUrl'
  >
>;

export interface StoredExportJob<TSpec = unknown> extends ExportJob<TSpec> {
  /** Queue order, unique and increasing in submission order. */
  seq: number;
}

export interface JobStore<TSpec = unknown> {
  /** Throws CONFLICT when a job with that id exists. */
  insert(job: StoredExportJob<TSpec>): Promise<void>;
  /** Returns whether the job exists. */
  update(id: string, patch: ExportJobPatch): Promise<boolean>;
  get(id: string): Promise<StoredExportJob<TSpec> | undefined>;
  /** In queue order; every job when `states` is undefined. */
  list(states?: readonly ExportJobState[]): Promise<StoredExportJob<TSpec>[]>;
  /** Returns whether a job was deleted. Never touches the job's file. */
  delete(id: string): Promise<boolean>;
  /** Deletes every job in those states; returns their ids. */
  deleteInStates(states: readonly ExportJobState[]): Promise<string[]>;
  /** The highest seq stored, or 0. */
  maxSeq(): Promise<number>;
}
