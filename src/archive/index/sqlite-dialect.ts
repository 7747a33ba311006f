/**
 * SQLite through better-sqlite3. WAL lets the API read while the recorder
 * writes; `busy_timeout` makes a second process (a CLI command next to a
 * running server) wait instead of failing.
 */
import SqliteDatabase from 'better-sqlite3';
import { type Dialect, SqliteDialect } from 'kysely';
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
  return new SqliteDialect({ database: sqlite });
}
