/**
 * The archive index: one Kysely `Database` over better-sqlite3. WAL lets the
 * API read while the recorder writes; `busy_timeout` makes a second process
 * (a CLI command next to a running server) wait instead of failing.
 */
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { VigilError } from '../../errors.js';
import type { EventsTable } from './events.table.js';
import type { ExportJobsTable } from './export-jobs.table.js';
import type { FragmentsTable } from './fragments.table.js';
import type { LocksTable } from './locks.table.js';
import { migrations } from './migrations/index.js';
import type { SegmentsTable } from './segments.table.js';
import type { StreamsTable } from './streams.table.js';

export interface Database {
  streams: StreamsTable;
  segments: SegmentsTable;
  fragments: FragmentsTable;
  locks: LocksTable;
  export_jobs: ExportJobsTable;
  events: EventsTable;
}

const BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating if needed) the SQLite index at `path` and brings its schema up to date. */
export async function openDatabase(path: string): Promise<Kysely<Database>> {
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
  } catch (cause) {
    throw new VigilError('STORAGE_FAILED', `cannot open the archive index at ${path}`, { cause });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

function migratorFor(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const { error } = await migratorFor(db).migrateToLatest();
  if (error !== undefined) {
    throw new VigilError('STORAGE_FAILED', 'migrating the archive index failed', { cause: error });
  }
}

/** Undoes every migration (tests, and `down` checks). */
export async function migrateToEmpty(db: Kysely<Database>): Promise<void> {
  const { error } = await migratorFor(db).migrateTo(NO_MIGRATIONS);
  if (error !== undefined) {
    throw new VigilError('STORAGE_FAILED', 'rolling back the archive index failed', { cause: error });
  }
}

/** The index file inside a data directory (the server, `vigil import` and `vigil export --data` share it). */
export function databasePathFor(dataDir: string): string {
  return join(dataDir, 'index.sqlite');
}
