/**
 * The two places where SQLite and PostgreSQL need different column SQL. Every
 * other column uses types both understand (`bigint` for µs and bytes: in
 * SQLite it has integer affinity, in PostgreSQL µs overflow `integer`).
 */
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Surrogate key that is never reused after a delete (an exporter may still hold an old id). */
export function idColumn(db: Kysely<unknown>): {
  type: 'integer' | 'bigint';
  build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  return isPostgres(db)
    ? { type: 'bigint', build: (col) => col.generatedAlwaysAsIdentity().primaryKey() }
    : { type: 'integer', build: (col) => col.primaryKey().autoIncrement() };
}

export function blobType(db: Kysely<unknown>): 'bytea' | 'blob' {
  return isPostgres(db) ? 'bytea' : 'blob';
}
