import type { Kysely } from 'kysely';
import { blobType, idColumn, sortedTextType } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const id = idColumn(db);
  const sortedText = sortedTextType(db);

  await db.schema
    .createTable('streams')
    .addColumn('name', sortedText, (col) => col.primaryKey())
    .addColumn('definition', 'text', (col) => col.notNull())
    .addColumn('created_at_us', 'bigint', (col) => col.notNull())
    .addColumn('updated_at_us', 'bigint', (col) => col.notNull())
    .execute();

  // No foreign key to streams: recovery indexes files of streams that have no definition.
  await db.schema
    .createTable('segments')
    .addColumn('id', id.type, id.build)
    .addColumn('stream', 'text', (col) => col.notNull())
    .addColumn('variant', 'text', (col) => col.notNull())
    .addColumn('start_us', 'bigint', (col) => col.notNull())
    .addColumn('end_us', 'bigint', (col) => col.notNull())
    .addColumn('root', sortedText, (col) => col.notNull())
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('size_bytes', 'bigint', (col) => col.notNull())
    .addColumn('init_size_bytes', 'bigint', (col) => col.notNull())
    .addColumn('tracks', 'text', (col) => col.notNull())
    .addColumn('codecs', 'text', (col) => col.notNull())
    .addColumn('closed', 'integer', (col) => col.notNull().defaultTo(0))
    .addUniqueConstraint('segments_root_path_unique', ['root', 'path'])
    .execute();
  await db.schema
    .createIndex('segments_stream_variant_start_idx')
    .on('segments')
    .columns(['stream', 'variant', 'start_us'])
    .execute();

  await db.schema
    .createTable('fragments')
    .addColumn('segment_id', id.type, (col) => col.notNull().references('segments.id').onDelete('cascade'))
    .addColumn('sequence_number', 'bigint', (col) => col.notNull())
    .addColumn('start_us', 'bigint', (col) => col.notNull())
    .addColumn('end_us', 'bigint', (col) => col.notNull())
    .addColumn('moof_offset', 'bigint', (col) => col.notNull())
    .addColumn('moof_size', 'bigint', (col) => col.notNull())
    .addColumn('mdat_size', 'bigint', (col) => col.notNull())
    .addColumn('starts_with_keyframe', 'integer', (col) => col.notNull())
    .addColumn('moof', blobType(db), (col) => col.notNull())
    .addPrimaryKeyConstraint('fragments_pk', ['segment_id', 'moof_offset'])
    .execute();

  await db.schema
    .createTable('locks')
    .addColumn('id', id.type, id.build)
    .addColumn('stream', sortedText, (col) => col.notNull())
    .addColumn('from_us', 'bigint', (col) => col.notNull())
    .addColumn('duration_us', 'bigint', (col) => col.notNull())
    .addColumn('created_at_us', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('locks_stream_idx').on('locks').column('stream').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('locks').execute();
  await db.schema.dropTable('fragments').execute();
  await db.schema.dropTable('segments').execute();
  await db.schema.dropTable('streams').execute();
}
