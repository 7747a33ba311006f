/** Plugs the pg-boss queue into ExportJobs (its `queue` option), as runtime.ts does for a cluster. */
import type { Kysely } from 'kysely';
import type { Database } from '../../archive/index/database.js';
import { ClusterJobStore } from './cluster-job-store.js';
import type { JobQueue } from './job-queue.js';
import type { PgBossQueueOptions } from './pg-boss-options.js';
import { PgBossQueue } from './pg-boss-queue.js';
import type { ExportQueueOptions } from './queue-options.js';

export interface PgBossQueueFactoryOptions {
  db: Kysely<Database>;
  connectionString: string;
  nodeId: string;
  runsJobs: boolean;
  /** Timings and names (tests shorten the expiry). */
  tuning?: Partial<
    Pick<
      PgBossQueueOptions<unknown>,
      | 'schema'
      | 'expireInSeconds'
      | 'keepAliveSeconds'
      | 'maintenanceIntervalSeconds'
      | 'pollingIntervalSeconds'
      | 'retryLimit'
      | 'reconcileIntervalSeconds'
      | 'stopTimeoutMs'
      | 'channel'
    >
  >;
}

/** For ExportJobs' `queue` option: the pg-boss queue over the in-process queue's options and the shared rows. */
export function pgBossQueueFactory<TSpec>(
  cluster: PgBossQueueFactoryOptions,
): (options: ExportQueueOptions<TSpec>) => JobQueue<TSpec> {
  return (options) => {
    const { store: _local, resumeInterrupted: _resume, ...rest } = options;
    return new PgBossQueue<TSpec>({
      ...rest,
      ...cluster.tuning,
      store: new ClusterJobStore<TSpec>(cluster.db),
      connectionString: cluster.connectionString,
      nodeId: cluster.nodeId,
      runsJobs: cluster.runsJobs,
    });
  };
}
