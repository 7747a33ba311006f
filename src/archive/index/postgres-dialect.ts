/**
 * PostgreSQL through a `pg` pool. Every wait is bounded (connect, statement,
 * idle in transaction) so a dead or overloaded server makes queries fail
 * instead of hanging the recorder. BIGINT and NUMERIC come back as numbers,
 * like SQLite's integers: the schema's µs and byte counts stay well under
 * 2^53, and a value beyond it is refused instead of silently rounded.
 */
import { type Dialect, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { VigilError } from '../../errors.js';
import { lazyRequire } from '../../lazy-require.js';
import type { PostgresTarget } from './dialect.js';

/** pg, loaded when the first pool is made (src/lazy-require.ts says why). */
export const pgClient = lazyRequire<typeof pg>('pg');

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export const POSTGRES_POOL_DEFAULTS = {
  max: 10,
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
} as const;

function unsafeNumber(text: string, type: string): VigilError {
  return new VigilError(
    'STORAGE_FAILED',
    `PostgreSQL returned the ${type} ${text}, beyond what a JavaScript number holds exactly (±${Number.MAX_SAFE_INTEGER})`,
  );
}

/** BIGINT (count(*), ids, µs, bytes) as a number; refuses what would lose precision. */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw unsafeNumber(text, 'bigint');
  return value;
}

/** NUMERIC (what sum(bigint) returns) as a number; refuses integers past 2^53. */
export function parseNumeric(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
    throw unsafeNumber(text, 'numeric');
  }
  return value;
}

// Per pool, not `pg.types.setTypeParser`: that would change every other pg user in the process.
const getTypeParser = ((oid: number, format?: 'text' | 'binary') => {
  if (format !== 'binary' && oid === INT8_OID) return parseInt8;
  if (format !== 'binary' && oid === NUMERIC_OID) return parseNumeric;
  return pgClient().types.getTypeParser(oid, format);
}) as pg.CustomTypesConfig['getTypeParser'];

export function createPostgresPool(target: PostgresTarget): pg.Pool {
  const options = { ...POSTGRES_POOL_DEFAULTS, ...target.pool };
  const pool = new (pgClient().Pool)({
    connectionString: target.url,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    // A transaction left open by a crashed caller must not hold row locks for ever.
    idle_in_transaction_session_timeout: options.statementTimeoutMs,
    application_name: 'vigil',
    types: { getTypeParser },
  });
  // An idle connection the server drops (restart, failover) is an 'error' event; unhandled
  // it would end the process. The pool discards that client and the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export function createPostgresDialect(target: PostgresTarget): Dialect {
  return new PostgresDialect({ pool: createPostgresPool(target) });
}
