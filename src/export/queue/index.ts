export { ExportQueue } from './export-queue.js';
export {
  DEFAULT_CANCEL_GRACE_MS,
  DEFAULT_CANCEL_TASK_WITH_STATES,
  DEFAULT_CONCURRENCY,
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_QUEUE_MAX_LEN,
  type ExportQueueOptions,
  type SubmitExportJob,
} from './queue-options.js';
export type { SubscribeOptions } from './job-events.js';
export { exportJobToJson, type ExportJobJson, type ExportWebhookBody } from './job-json.js';
export type { ExportJobPatch, JobStore, StoredExportJob } from './job-store.js';
export {
  type ExportJob,
  type ExportJobCallback,
  type ExportJobError,
  type ExportJobErrorCode,
  type ExportJobEvent,
  type ExportJobKind,
  type ExportJobState,
  type ExportJobStateEvent,
  type ExportRunner,
  type ExportStateCode,
  type ExportStep,
  exportStateCode,
  type ProgressReporter,
  type QueueLogger,
  type RunContext,
  type RunResult,
  statesOfCode,
} from './job-types.js';
export { SqlJobStore, type SqlJobStoreOptions } from './sql-job-store.js';
export {
  signWebhookBody,
  SIGNATURE_HEADER,
  WebhookNotifier,
  type WebhookDeliveryResult,
  type WebhookNotifierOptions,
} from './webhook-notifier.js';
export type { JobQueue } from './job-queue.js';
export { ClusterJobStore } from './cluster-job-store.js';
export { DEFAULT_EVENTS_CHANNEL } from './cluster-events.js';
export { PgBossQueue } from './pg-boss-queue.js';
export { pgBossQueueFactory, type PgBossQueueFactoryOptions } from './pg-boss-factory.js';
export {
  DEFAULT_EXPIRE_IN_SECONDS,
  DEFAULT_PGBOSS_SCHEMA,
  type PgBossQueueOptions,
  pgBossQueueName,
} from './pg-boss-options.js';
