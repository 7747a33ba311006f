import type { Kysely } from 'kysely';

/**
 * Where a finished export's file lives when it is not (only) on the exporter's
 * disk: `s3://bucket/key` once the upload to cluster storage is confirmed,
 * null for a file in the local export dir. Any API node reads it to serve the
 * download, and removing the job deletes that object.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('export_jobs').addColumn('file_location', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('export_jobs').dropColumn('file_location').execute();
}
