/**
 * What the export services (ExportJobs, the REST routes, SSE, telemetry, the
 * library) need from a queue. Two queues implement it: ExportQueue runs jobs
 * in this process; PgBossQueue shares them between the nodes of a cluster.
 */
import type { JobEventHub, SubscribeOptions } from './job-events.js';
import type { ExportJob, ExportJobEvent, ExportJobState } from './job-types.js';
import type { SubmitExportJob } from './queue-options.js';

export interface JobQueue<TSpec = unknown> {
  /** Every job event this node sees (its own and, in a cluster, the other nodes'). */
  readonly events: JobEventHub<TSpec>;
  /** Finished states whose jobs leave the task list; applies to jobs that finish from now on. */
  cancelTaskWithStates: readonly ExportJobState[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once the job is stored. Throws QUEUE_FULL, CONFLICT (id taken) or INVALID_ARGUMENT. */
  submit(input: SubmitExportJob<TSpec>): Promise<ExportJob<TSpec>>;
  /** Cancels a job in any state; resolves with it once settled. Throws NOT_FOUND. */
  cancel(id: string): Promise<ExportJob<TSpec>>;
  /** Takes a finished job off the task list (its file stays). Throws CONFLICT for an unfinished one. */
  remove(id: string): Promise<void>;
  get(id: string): Promise<ExportJob<TSpec> | undefined>;
  /** The task list in queue order. */
  list(): Promise<ExportJob<TSpec>[]>;
  /** Resolves when the job is finished (or, in process, leaves this queue's hands). */
  whenFinished(id: string): Promise<ExportJob<TSpec>>;
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<ExportJobEvent<TSpec>>;
}
