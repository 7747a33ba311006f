import type { Kysely, Transaction } from 'kysely';
import type { LockRecord } from '../types.js';
import type { Database } from './database.js';
import { guardStreamLocks } from './dialect.js';
import type { LockRow } from './locks.table.js';

export function lockRowToLock(row: LockRow): LockRecord {
  return {
    id: Number(row.id),
    stream: row.stream,
    fromUs: Number(row.from_us),
    durationUs: Number(row.duration_us),
    createdAtUs: Number(row.created_at_us),
  };
}

/** Adds a lock; in its own transaction unless given one, as it takes the stream's lock guard. */
export async function insertLock(
  db: Kysely<Database>,
  lock: { stream: string; fromUs: number; durationUs: number; createdAtUs: number },
): Promise<LockRecord> {
  if (!db.isTransaction) return db.transaction().execute((trx) => insertLock(trx, lock));
  await guardStreamLocks(db, lock.stream);
  const row = await db
    .insertInto('locks')
    .values({
      stream: lock.stream,
      from_us: lock.fromUs,
      duration_us: lock.durationUs,
      created_at_us: lock.createdAtUs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return lockRowToLock(row);
}

/**
 * Locks of one stream, or of every stream when `stream` is undefined, ordered by start.
 * Inside a transaction, one stream's locks are read under its lock guard: no lock of
 * that stream can be added or removed until the transaction ends.
 */
export async function listLocks(db: Kysely<Database>, stream?: string): Promise<LockRecord[]> {
  if (db.isTransaction && stream !== undefined) await guardStreamLocks(db, stream);
  let query = db.selectFrom('locks').selectAll();
  if (stream !== undefined) query = query.where('stream', '=', stream);
  const rows = await query.orderBy('stream').orderBy('from_us').orderBy('id').execute();
  return rows.map(lockRowToLock);
}

/** Swaps some locks for their remaining pieces; must be one transaction so no interval is briefly unlocked. */
export async function replaceLocks(
  trx: Transaction<Database>,
  deleteIds: number[],
  insert: Array<{ stream: string; fromUs: number; durationUs: number; createdAtUs: number }>,
): Promise<void> {
  if (deleteIds.length > 0) await trx.deleteFrom('locks').where('id', 'in', deleteIds).execute();
  for (const lock of insert) await insertLock(trx, lock);
}

export async function deleteLocksOfStream(db: Kysely<Database>, stream: string): Promise<number> {
  const result = await db.deleteFrom('locks').where('stream', '=', stream).executeTakeFirst();
  return Number(result.numDeletedRows);
}
