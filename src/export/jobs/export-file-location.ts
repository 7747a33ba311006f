/**
 * The `file_location` of an export job's row: where its finished file lives
 * when that is the cluster's bucket (`s3://bucket/key`). The runner records
 * it before the queue marks the job `success`, so every node that reads a
 * successful job's row finds its file.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../archive/index/database.js';

export async function recordExportFileLocation(
  db: Kysely<Database>,
  jobId: string,
  location: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('export_jobs')
    .set({ file_location: location })
    .where('id', '=', jobId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Undefined when the job is gone or its file is in the local export dir. */
export async function exportFileLocationOf(db: Kysely<Database>, jobId: string): Promise<string | undefined> {
  const row = await db.selectFrom('export_jobs').select('file_location').where('id', '=', jobId).executeTakeFirst();
  return row?.file_location ?? undefined;
}
