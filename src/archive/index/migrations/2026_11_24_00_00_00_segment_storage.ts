import type { Kysely } from 'kysely';

/**
 * Where each segment's bytes live: `local` (only on this node's disk; in
 * cluster mode, a closed one is waiting for its upload to be confirmed),
 * `both` (uploaded and confirmed, the local copy kept as cache) or `remote`
 * (only in object storage). Existing rows are local. The index serves the
 * uploader's "what is still to upload" and the cache's "newest local copies".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('segments')
    .addColumn('storage', 'text', (col) => col.notNull().defaultTo('local'))
    .execute();
  await db.schema.createIndex('segments_storage').on('segments').columns(['storage', 'end_us']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('segments_storage').execute();
  await db.schema.alterTable('segments').dropColumn('storage').execute();
}
