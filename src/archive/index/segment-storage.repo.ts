/**
 * The `storage` column of `segments` (migration 2026_11_24): where a segment's
 * bytes live. Kept out of segments.table.ts so embedded mode's code never
 * sees it; these functions take the archive's `db` and widen its type.
 */
import type { Kysely } from 'kysely';
import type { SegmentRecord } from '../types.js';
import type { Database } from './database.js';
import { segmentRowToSegment } from './segments.repo.js';

/** `local`: on this disk only (closed: upload not yet confirmed); `both`: confirmed, local copy kept; `remote`: object storage only. */
export type SegmentStorage = 'local' | 'both' | 'remote';

// A type (not an interface) so it meets Kysely's `withTables` constraint.
export type SegmentStorageColumns = {
  segments: { storage: SegmentStorage };
};

function withStorage(db: Kysely<Database>): Kysely<Database & SegmentStorageColumns> {
  return db.withTables<SegmentStorageColumns>();
}

export async function segmentStorageOf(db: Kysely<Database>, id: number): Promise<SegmentStorage | undefined> {
  const row = await withStorage(db).selectFrom('segments').select('storage').where('id', '=', id).executeTakeFirst();
  return row?.storage;
}

/** Ids of closed segments whose upload is not confirmed, oldest first (the uploader reads each row when its turn comes). */
export async function listUnconfirmedSegmentIds(db: Kysely<Database>): Promise<number[]> {
  const rows = await withStorage(db)
    .selectFrom('segments')
    .select('id')
    .where('storage', '=', 'local')
    .where('closed', '=', 1)
    .orderBy('end_us')
    .orderBy('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

/**
 * Records a confirmed upload. False when the row is gone (retention deleted
 * it meanwhile: the caller deletes the object it just made) or not local.
 */
export function markSegmentUploaded(db: Kysely<Database>, id: number): Promise<boolean> {
  return changeStorage(db, id, 'local', 'both');
}

export interface LocalCopy {
  segment: SegmentRecord;
  storage: 'local' | 'both';
}

/** Closed segments with a local copy, newest first (the cache keeps a prefix of this list). */
export async function listLocalCopies(db: Kysely<Database>): Promise<LocalCopy[]> {
  const rows = await withStorage(db)
    .selectFrom('segments')
    .selectAll()
    .where('storage', 'in', ['local', 'both'])
    .where('closed', '=', 1)
    .orderBy('end_us', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({ segment: segmentRowToSegment(row), storage: row.storage === 'both' ? 'both' : 'local' }));
}

/** Marks a confirmed segment remote-only before its local file is removed; false when it is not `both` any more. */
export function markSegmentRemoteOnly(db: Kysely<Database>, id: number): Promise<boolean> {
  return changeStorage(db, id, 'both', 'remote');
}

/** Moves a segment's storage from `from` to `to`; false when the row is gone or not `from`. */
async function changeStorage(
  db: Kysely<Database>,
  id: number,
  from: SegmentStorage,
  to: SegmentStorage,
): Promise<boolean> {
  const result = await withStorage(db)
    .updateTable('segments')
    .set({ storage: to })
    .where('id', '=', id)
    .where('storage', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * A segment's storage, read with its row locked until the transaction ends
 * (a no-op update: PostgreSQL locks the row, SQLite's one connection is held
 * anyway), so an upload cannot be confirmed between this read and the row's
 * delete. Call inside a transaction.
 */
export async function lockSegmentStorage(trx: Kysely<Database>, id: number): Promise<SegmentStorage | undefined> {
  const row = await withStorage(trx)
    .updateTable('segments')
    .set((eb) => ({ storage: eb.ref('storage') }))
    .where('id', '=', id)
    .returning('storage')
    .executeTakeFirst();
  return row?.storage;
}

/** Segments that are (also) in object storage, by id: recovery must not take a missing local file for a lost segment. */
export async function listStoredRemotely(db: Kysely<Database>): Promise<Map<number, 'both' | 'remote'>> {
  const rows = await withStorage(db)
    .selectFrom('segments')
    .select(['id', 'storage'])
    .where('storage', 'in', ['both', 'remote'])
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.storage === 'both' ? 'both' : 'remote']));
}
