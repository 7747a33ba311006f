/**
 * The places where SQLite and PostgreSQL need different column SQL. Every
 * other column uses types both understand (`bigint` for µs and bytes: in
 * SQLite it has integer affinity, in PostgreSQL µs overflow `integer`).
 * For SQLite each helper returns exactly what the migrations used before, so
 * existing index files see no schema change.
 */
import { type ColumnDefinitionBuilder, type Expression, type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

/** Surrogate key that is never reused after a delete (an exporter may still hold an old id). */
export function idColumn(db: Kysely<unknown>): {
  type: 'integer' | 'bigint';
  build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  return dialectOf(db) === 'postgres'
    ? { type: 'bigint', build: (col) => col.generatedAlwaysAsIdentity().primaryKey() }
    : { type: 'integer', build: (col) => col.primaryKey().autoIncrement() };
}

export function blobType(db: Kysely<unknown>): 'bytea' | 'blob' {
  return dialectOf(db) === 'postgres' ? 'bytea' : 'blob';
}

/**
 * Text a query sorts on. SQLite compares bytes; PostgreSQL would use the
 * database's locale (where "cam-2" may sort before "cam_1" or ignore case),
 * so these columns ask for byte order there too and both list in one order.
 */
export function sortedTextType(db: Kysely<unknown>): 'text' | Expression<unknown> {
  return dialectOf(db) === 'postgres' ? sql`text collate "C"` : 'text';
}

/** SQLite's `real` is 8 bytes; PostgreSQL's is 4 (7 digits), so it needs `double precision`. */
export function doubleType(db: Kysely<unknown>): 'real' | 'double precision' {
  return dialectOf(db) === 'postgres' ? 'double precision' : 'real';
}
