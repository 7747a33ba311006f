import type { Kysely } from 'kysely';
import { doubleType } from './column-types.js';

/**
 * Export jobs live in the index DB so a restart finds the queue as it was
 * (and can settle jobs that were `exporting` when the process died).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('export_jobs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('spec', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('step', 'text')
    .addColumn('percent', doubleType(db), (col) => col.notNull().defaultTo(0))
    .addColumn('created_at_us', 'bigint', (col) => col.notNull())
    .addColumn('started_at_us', 'bigint')
    .addColumn('finished_at_us', 'bigint')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('file_path', 'text', (col) => col.notNull())
    .addColumn('bytes', 'bigint')
    .addColumn('webhook_url', 'text')
    .execute();
  // start() reads the unfinished jobs in queue order.
  await db.schema.createIndex('export_jobs_state_seq_idx').on('export_jobs').columns(['state', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('export_jobs').execute();
}
