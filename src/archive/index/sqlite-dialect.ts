/**
 * SQLite through better-sqlite3. WAL lets the API read while the recorder
 * writes; `busy_timeout` makes a second process (a CLI command next to a
 * running server) wait instead of failing.
 */
import SqliteDatabase from 'better-sqlite3';
import { type Dialect, SqliteDialect, type SqliteDatabase as KyselySqlite } from 'kysely';
import { VigilError } from '../../errors.js';
import type { SqliteTarget } from './dialect.js';

const BUSY_TIMEOUT_MS = 5_000;

export function createSqliteDialect(target: SqliteTarget): Dialect {
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(target.path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
  } catch (cause) {
    throw new VigilError('STORAGE_FAILED', `cannot open the archive index at ${target.path}`, { cause });
  }
  return new SqliteDialect({ database: withStatementCache(sqlite) });
}

/** Prepared statements kept by their SQL, most recently used last. */
const CACHED_STATEMENTS = 256;

/**
 * Kysely prepares every query it runs, and preparing costs more than running
 * the small statements the recorder issues per fragment (an insert and an
 * update): the statements are kept and reused. A statement still being
 * iterated (a streamed query) is not handed out twice; a new one is prepared.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqlite {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (sql: string): SqliteDatabase.Statement => {
    const cached = cache.get(sql);
    cache.delete(sql);
    const statement = cached !== undefined && !cached.busy ? cached : sqlite.prepare(sql);
    cache.set(sql, statement);
    if (cache.size > CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
    return statement;
  };
  return { prepare, close: () => sqlite.close() };
}
