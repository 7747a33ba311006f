/**
 * Export jobs over an archive on this machine, without a server: the archive
 * index is opened as `vigil import` opens it, and the queue lives in a private
 * in-memory database. A queue sharing the server's job table would, on start,
 * settle the server's running jobs as interrupted; this one never sees them
 * (and the server never sees its jobs: they last as long as this process).
 */
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import { Archive, LocalSegmentReader } from '../../archive/index.js';
import { indexLocationFor, openDatabase, type Database } from '../../archive/index/database.js';
import type { VigilConfig } from '../../config/config-file.js';
import { VigilError } from '../../errors.js';
import { secondsToUs } from '../../time.js';
import { ExportJobs, streamsOfArchive } from '../jobs/export-jobs.js';
import { transcodeExportJob } from '../jobs/transcode-job.js';
import { PlanCache } from '../plan-cache.js';

export interface LocalExportJobs {
  jobs: ExportJobs;
  /** Stops the queue (a running job ends as interrupted) and closes the archive. */
  close(): Promise<void>;
}

export async function openLocalExportJobs(config: VigilConfig): Promise<LocalExportJobs> {
  const databasePath = indexLocationFor(config);
  // A PostgreSQL index is checked by opening it; a SQLite one must already exist (a typo in --data would create one).
  try {
    if (config.cluster.database === undefined) await access(databasePath);
  } catch {
    throw new VigilError(
      'NOT_FOUND',
      `--data: no Vigil archive in ${config.dataDir} (no ${basename(databasePath)} there)`,
      {
        field: '--data',
      },
    );
  }
  const archive = await Archive.open({
    databasePath,
    defaultRoot: config.dvr.root,
    gapToleranceUs: secondsToUs(config.dvr.gapToleranceSeconds),
  });
  const reader = new LocalSegmentReader();
  let queueDb: Kysely<Database> | undefined;
  let jobs: ExportJobs | undefined;
  const close = async (): Promise<void> => {
    await jobs?.stop();
    await queueDb?.destroy();
    await reader.close();
    await archive.close();
  };
  try {
    queueDb = await openDatabase(':memory:');
    jobs = new ExportJobs({
      db: queueDb,
      source: { archive, reader, planCache: new PlanCache() },
      // Nothing is listed after this process ends, so nothing needs removing; webhooks are the server's.
      config: { ...config.exports, cancelTaskWithStates: [], webhookUrl: undefined },
      timeZone: config.timezone,
      findStream: streamsOfArchive(archive),
      transcode: transcodeExportJob,
    });
    await jobs.start();
    return { jobs, close };
  } catch (err) {
    await close();
    throw err;
  }
}
