/**
 * The cluster queue's sweep. What the in-process queue settles at start
 * (finished jobs to remove, jobs no one runs any more) is settled here on a
 * timer, on any node: every write is conditional, so nodes sweeping at once
 * do each thing once, and only the node whose write won announces it.
 */
import type PgBoss from 'pg-boss';
import type { ClusterJobStore } from './cluster-job-store.js';
import type { ExportJobPatch } from './job-store.js';
import { type ExportJobState, type ExportJobStateEvent, exportJobKinds } from './job-types.js';
import { pgBossJobId, pgBossQueueName } from './pg-boss-options.js';
import { publicJob } from './queue-entry.js';

/** A row is written a moment before its pg-boss job: younger rows without one are left alone. */
const MISSING_GRACE_US = 60_000_000;

export interface ReconcileDeps<TSpec> {
  store: ClusterJobStore<TSpec>;
  boss: PgBoss;
  schema: string;
  autoRemove: readonly ExportJobState[];
  removeFinishedAfterMs: number;
  retryLimit: number;
  now: () => number;
  removed(id: string): void;
  changed(event: ExportJobStateEvent<TSpec>): void;
}

interface PgBossStateRow {
  id: string;
  state: string;
}

export async function reconcileJobs<TSpec>(deps: ReconcileDeps<TSpec>): Promise<void> {
  const { store, boss, schema } = deps;
  const nowUs = deps.now();
  for (const id of await store.deleteFinishedBefore(deps.autoRemove, nowUs - deps.removeFinishedAfterMs * 1000)) {
    deps.removed(id);
  }
  const unfinished = await store.list(['in_queue', 'exporting']);
  if (unfinished.length === 0) return;
  const names = exportJobKinds.map(pgBossQueueName);
  const ids = unfinished.map((job) => pgBossJobId(job.id, job.seq));
  const where = 'name = ANY($1::text[]) AND id = ANY($2::uuid[])';
  const result = await boss
    .getDb()
    .executeSql(
      `SELECT id::text AS id, state::text AS state FROM ${schema}.job WHERE ${where} ` +
        `UNION ALL SELECT id::text, state::text FROM ${schema}.archive WHERE ${where}`,
      [names, ids],
    );
  const states = new Map((result.rows as PgBossStateRow[]).map((row) => [row.id, row.state]));
  for (const job of unfinished) {
    const patch = settlingPatch(job.state, states.get(pgBossJobId(job.id, job.seq)), nowUs - job.createdAtUs, deps);
    if (patch === undefined) continue;
    if (await store.updateInStates(job.id, [job.state], patch)) {
      deps.changed({ type: 'state', job: { ...publicJob(job), ...patch }, previous: job.state, atUs: nowUs });
    }
  }
}

function settlingPatch<TSpec>(
  rowState: ExportJobState,
  pgState: string | undefined,
  ageUs: number,
  deps: ReconcileDeps<TSpec>,
): ExportJobPatch | undefined {
  const finishedAtUs = deps.now();
  const interrupted = (why: string): ExportJobPatch => ({
    state: 'error',
    finishedAtUs,
    error: { code: 'INTERRUPTED', message: `interrupted: ${why}. Submit it again.` },
  });
  switch (pgState) {
    case undefined:
      return ageUs < MISSING_GRACE_US ? undefined : interrupted('its entry in the cluster queue is missing');
    case 'failed':
      return interrupted(`the exporter running it stopped ${deps.retryLimit + 1} times`);
    case 'completed':
      return interrupted('the cluster queue finished it without a result');
    case 'cancelled':
      // A running job's cancel is the canceling node's to settle (it waits for the exporter).
      return rowState === 'in_queue' ? { state: 'canceled', finishedAtUs } : undefined;
    default:
      return undefined;
  }
}
