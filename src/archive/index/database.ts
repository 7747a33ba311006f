/**
 * The archive index: one Kysely `Database`, on SQLite (embedded, the default)
 * or PostgreSQL (cluster mode), with the same schema, migrations and queries.
 * What differs between the two is set up in dialect.ts and `*-dialect.ts`.
 */
import { join } from 'node:path';
import { type Dialect, Kysely } from 'kysely';
import { Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { VigilError } from '../../errors.js';
import type { AccessUsersTable, ApiKeysTable } from './access.table.js';
import { describeIndexTarget, type IndexTarget, indexTargetFor } from './dialect.js';
import type { EventsTable } from './events.table.js';
import type { ExportJobsTable } from './export-jobs.table.js';
import type { FragmentsTable } from './fragments.table.js';
import type { ClusterNodesTable, StreamLeasesTable } from './leases.table.js';
import type { LocksTable } from './locks.table.js';
import { migrations } from './migrations/index.js';
import { createPostgresDialect } from './postgres-dialect.js';
import type { SegmentsTable } from './segments.table.js';
import { createSqliteDialect } from './sqlite-dialect.js';
import type { StreamsTable } from './streams.table.js';

export interface Database {
  streams: StreamsTable;
  segments: SegmentsTable;
  fragments: FragmentsTable;
  locks: LocksTable;
  export_jobs: ExportJobsTable;
  events: EventsTable;
  access_users: AccessUsersTable;
  api_keys: ApiKeysTable;
  stream_leases: StreamLeasesTable;
  cluster_nodes: ClusterNodesTable;
}

function dialectFor(target: IndexTarget): Dialect {
  return target.dialect === 'postgres' ? createPostgresDialect(target) : createSqliteDialect(target);
}

/**
 * Opens the index (creating the SQLite file if needed) and brings its schema
 * up to date. `location` is a file path, a `postgres://` URL, or a target
 * with pool options.
 */
export async function openDatabase(location: string | IndexTarget): Promise<Kysely<Database>> {
  const target = indexTargetFor(location);
  const db = new Kysely<Database>({ dialect: dialectFor(target) });
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    const reason = err instanceof VigilError && err.cause instanceof Error ? err.cause.message : String(err);
    throw new VigilError(
      'STORAGE_FAILED',
      `cannot open the archive index at ${describeIndexTarget(target)}: ${reason}`,
      { cause: err },
    );
  }
  return db;
}

/** The same as `openDatabase`, for callers that always hold a target. */
export function openIndexDatabase(target: IndexTarget): Promise<Kysely<Database>> {
  return openDatabase(target);
}

function migratorFor(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
}

/** Safe with several nodes starting at once: Kysely's migrator takes a lock (advisory on PostgreSQL). */
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

/** Where a configured Vigil keeps its index: the cluster's PostgreSQL URL when set, else SQLite in the data dir. */
export function indexLocationFor(config: { dataDir: string; cluster: { database?: { url: string } } }): string {
  return config.cluster.database?.url ?? databasePathFor(config.dataDir);
}
