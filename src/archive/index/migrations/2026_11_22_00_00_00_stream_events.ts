import type { Kysely } from 'kysely';
import { idColumn } from './column-types.js';

/**
 * Events on a stream (a detection, an alarm): exports show them as chapters
 * and draw their boxes. Boxes are JSON: they are only ever read with their event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const id = idColumn(db);
  await db.schema
    .createTable('events')
    .addColumn('id', id.type, id.build)
    .addColumn('stream', 'text', (col) => col.notNull())
    .addColumn('start_us', 'bigint', (col) => col.notNull())
    .addColumn('end_us', 'bigint', (col) => col.notNull())
    .addColumn('label', 'text', (col) => col.notNull())
    .addColumn('severity', 'text', (col) => col.notNull())
    .addColumn('boxes', 'text', (col) => col.notNull())
    .addColumn('created_at_us', 'bigint', (col) => col.notNull())
    .execute();
  // Range queries: stream equal, start bounded on both sides (events last at most a day).
  await db.schema.createIndex('events_stream_start_idx').on('events').columns(['stream', 'start_us']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('events').execute();
}
