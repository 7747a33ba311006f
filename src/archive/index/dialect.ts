/**
 * Where the index lives and how the two dialects differ. Repositories and
 * migrations speak plain Kysely; the few things SQLite and PostgreSQL do
 * differently (column types, connection set-up) are decided here and in the
 * two `*-dialect.ts` files, never with `if (sqlite)` inside a repository.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export type IndexDialectName = 'sqlite' | 'postgres';

export interface SqliteTarget {
  dialect: 'sqlite';
  /** A file path, or `:memory:`. */
  path: string;
}

export interface PostgresTarget {
  dialect: 'postgres';
  /** `postgres://user:password@host:port/database`; holds a secret, print it with `describeIndexTarget`. */
  url: string;
  pool?: PostgresPoolOptions;
}

export interface PostgresPoolOptions {
  /** Connections kept open at most (default 10). */
  max?: number;
  /** Give up on connecting after this long (default 10 s), instead of waiting for ever. */
  connectTimeoutMs?: number;
  /** The server cancels any statement running longer (default 30 s). */
  statementTimeoutMs?: number;
  /** Close connections idle this long (default 30 s). */
  idleTimeoutMs?: number;
}

export type IndexTarget = SqliteTarget | PostgresTarget;

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/** A path is SQLite; a `postgres://` URL is PostgreSQL with the default pool. */
export function indexTargetFor(location: string | IndexTarget): IndexTarget {
  if (typeof location !== 'string') return location;
  return isPostgresUrl(location) ? { dialect: 'postgres', url: location } : { dialect: 'sqlite', path: location };
}

/** The URL with its password replaced by `***`, for logs and messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // Not parseable: print nothing of it rather than risk a password.
    return 'postgres://(unparseable URL hidden)';
  }
}

/** Names the index in messages without its secrets. */
export function describeIndexTarget(target: IndexTarget): string {
  return target.dialect === 'sqlite' ? target.path : redactDatabaseUrl(target.url);
}

export function dialectOf<DB>(db: Kysely<DB>): IndexDialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

// First key of Vigil's two-key advisory locks on stream locks ("VGLK"); other advisory users pick their own.
const STREAM_LOCKS_KEY = 0x56474c4b;

/**
 * Serializes, per stream, the transactions that read or change its locks, so
 * a lock cannot be added between retention's lock check and its delete.
 * SQLite needs nothing: the index has one connection, and a transaction holds
 * it to the end. PostgreSQL has a pool, so this takes an advisory lock that
 * the transaction's commit or rollback releases. Call it inside a transaction.
 */
export async function guardStreamLocks<DB>(trx: Kysely<DB>, stream: string): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(${sql.lit(STREAM_LOCKS_KEY)}, hashtext(${stream}))`.execute(trx);
}
