import type { Kysely } from 'kysely';

/**
 * `sequence_base`: the stream-wide ordinal of a segment's first fragment. A
 * live HLS playlist numbers its entries with it, so a fragment keeps the same
 * media sequence number on every refresh, and after retention deletes old segments.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('segments')
    .addColumn('sequence_base', 'bigint', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('segments').dropColumn('sequence_base').execute();
}
