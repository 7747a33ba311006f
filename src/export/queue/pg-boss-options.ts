/** The pg-boss queue's options, defaults and the names it uses in pg-boss. */
import { createHash } from 'node:crypto';
import { invalidArgument } from '../../errors.js';
import type { ClusterJobStore } from './cluster-job-store.js';
import type { ExportJobKind } from './job-types.js';
import type { ExportQueueOptions } from './queue-options.js';

export const DEFAULT_PGBOSS_SCHEMA = 'vigil_pgboss';
/**
 * pg-boss 10 has no heartbeat: a job is expired when `started_on + expire_in`
 * has passed. The node running a job moves `started_on` forward every
 * `keepAliveSeconds`, so a live transcode of any length keeps its job, and a
 * dead node's job expires (and is retried elsewhere) within this many seconds
 * plus one maintenance interval.
 */
export const DEFAULT_EXPIRE_IN_SECONDS = 60;
export const DEFAULT_MAINTENANCE_INTERVAL_SECONDS = 10;
export const DEFAULT_POLLING_INTERVAL_SECONDS = 2;
/** Tries after the first: a job whose node died this many times in a row ends as INTERRUPTED. */
export const DEFAULT_RETRY_LIMIT = 3;
export const DEFAULT_RECONCILE_INTERVAL_SECONDS = 15;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export interface PgBossQueueOptions<TSpec> extends Omit<ExportQueueOptions<TSpec>, 'store' | 'resumeInterrupted'> {
  store: ClusterJobStore<TSpec>;
  /** The cluster database (pg-boss and the events listener open their own connections). */
  connectionString: string;
  /** pg-boss's own schema in that database. */
  schema?: string;
  /** Names this node in logs and in its notifications. */
  nodeId: string;
  /** Whether this node runs jobs (the `exporter` role); every node submits, lists and cancels. */
  runsJobs: boolean;
  expireInSeconds?: number;
  /** How often a running job's pg-boss lease is renewed (default a quarter of the expiry). */
  keepAliveSeconds?: number;
  maintenanceIntervalSeconds?: number;
  /** How often an idle exporter asks for jobs; a submit anywhere also wakes it at once. */
  pollingIntervalSeconds?: number;
  retryLimit?: number;
  /** How often stuck rows (their pg-boss job gone or failed for good) and expired finished jobs are swept. */
  reconcileIntervalSeconds?: number;
  /** The most `stop()` waits for pg-boss to close. */
  stopTimeoutMs?: number;
  /** LISTEN/NOTIFY channel (default vigil_export_events). */
  channel?: string;
}

export interface PgBossTimings {
  expireInSeconds: number;
  keepAliveMs: number;
  maintenanceIntervalSeconds: number;
  pollingIntervalMs: number;
  retryLimit: number;
  reconcileIntervalMs: number;
  stopTimeoutMs: number;
}

export function pgBossTimings(options: PgBossQueueOptions<unknown>): PgBossTimings {
  const expireInSeconds = wholeAtLeast(options.expireInSeconds ?? DEFAULT_EXPIRE_IN_SECONDS, 2, 'expireInSeconds');
  const keepAliveSeconds = options.keepAliveSeconds ?? expireInSeconds / 4;
  if (!(keepAliveSeconds > 0 && keepAliveSeconds < expireInSeconds)) {
    throw invalidArgument(
      'keepAliveSeconds',
      `expected more than 0 and less than expireInSeconds (${expireInSeconds}), got ${String(keepAliveSeconds)}`,
    );
  }
  const polling = options.pollingIntervalSeconds ?? DEFAULT_POLLING_INTERVAL_SECONDS;
  if (!(polling >= 0.1))
    throw invalidArgument('pollingIntervalSeconds', `expected 0.1 or more, got ${String(polling)}`);
  const reconcile = options.reconcileIntervalSeconds ?? DEFAULT_RECONCILE_INTERVAL_SECONDS;
  if (!(reconcile >= 0.1)) {
    throw invalidArgument('reconcileIntervalSeconds', `expected 0.1 or more, got ${String(reconcile)}`);
  }
  return {
    expireInSeconds,
    keepAliveMs: keepAliveSeconds * 1000,
    maintenanceIntervalSeconds: wholeAtLeast(
      options.maintenanceIntervalSeconds ?? DEFAULT_MAINTENANCE_INTERVAL_SECONDS,
      1,
      'maintenanceIntervalSeconds',
    ),
    pollingIntervalMs: polling * 1000,
    retryLimit: wholeAtLeast(options.retryLimit ?? DEFAULT_RETRY_LIMIT, 0, 'retryLimit'),
    reconcileIntervalMs: reconcile * 1000,
    stopTimeoutMs: wholeAtLeast(options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, 1, 'stopTimeoutMs'),
  };
}

function wholeAtLeast(value: number, min: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(field, `expected a whole number >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** One pg-boss queue per kind, so each exporter's per-kind concurrency is its own fetch size. */
export function pgBossQueueName(kind: ExportJobKind): string {
  return `vigil-export-${kind}`;
}

/**
 * pg-boss ids are UUIDs; a task id is any string. The id is derived from the
 * task id and its seq, so any node finds a job's pg-boss id from its row, and
 * an id reused after its job was removed gets a new pg-boss job.
 */
export function pgBossJobId(id: string, seq: number): string {
  const hex = createHash('sha256').update(`vigil-export\u0000${id}\u0000${seq}`).digest('hex').slice(0, 32);
  // Version 5 and RFC 4122 variant bits, so it reads as a name-based UUID.
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What a pg-boss job carries: the row holds everything else. */
export interface PgBossJobData {
  id: string;
}
