import type { Kysely, Transaction } from 'kysely';
import type { Variant } from '../../config/stream-types.js';
import type { FragmentRecord, SegmentRecord } from '../types.js';
import type { Database } from './database.js';
import type { FragmentRow } from './fragments.table.js';
import type { SegmentRow } from './segments.table.js';
import { tracksFromJson, tracksToJson } from './tracks-json.js';

export function segmentRowToSegment(row: SegmentRow): SegmentRecord {
  return {
    id: Number(row.id),
    stream: row.stream,
    variant: row.variant === 'sub' ? 'sub' : 'main',
    startUs: Number(row.start_us),
    endUs: Number(row.end_us),
    root: row.root,
    path: row.path,
    sizeBytes: Number(row.size_bytes),
    initSizeBytes: Number(row.init_size_bytes),
    tracks: tracksFromJson(row.tracks),
    codecs: row.codecs,
    closed: Number(row.closed) !== 0,
  };
}

export function fragmentRowToFragment(row: FragmentRow): FragmentRecord {
  return {
    segmentId: Number(row.segment_id),
    sequenceNumber: Number(row.sequence_number),
    startUs: Number(row.start_us),
    endUs: Number(row.end_us),
    moofOffset: Number(row.moof_offset),
    moofSizeBytes: Number(row.moof_size),
    mdatSizeBytes: Number(row.mdat_size),
    startsWithKeyframe: Number(row.starts_with_keyframe) !== 0,
    moof: new Uint8Array(row.moof.buffer, row.moof.byteOffset, row.moof.byteLength),
  };
}

export type SegmentInsert = Omit<SegmentRecord, 'id'>;

export async function insertSegment(db: Kysely<Database>, s: SegmentInsert): Promise<SegmentRecord> {
  const row = await db
    .insertInto('segments')
    .values({
      sequence_base: await nextSequenceBase(db, s.stream, s.variant),
      stream: s.stream,
      variant: s.variant,
      start_us: s.startUs,
      end_us: s.endUs,
      root: s.root,
      path: s.path,
      size_bytes: s.sizeBytes,
      init_size_bytes: s.initSizeBytes,
      tracks: tracksToJson(s.tracks),
      codecs: s.codecs,
      closed: s.closed ? 1 : 0,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return segmentRowToSegment(row);
}

/** The ordinal after the last fragment of the stream's newest segment (the recorder closes it before opening the next). */
async function nextSequenceBase(db: Kysely<Database>, stream: string, variant: Variant): Promise<number> {
  const previous = await db
    .selectFrom('segments')
    .select(['id', 'sequence_base'])
    .where('stream', '=', stream)
    .where('variant', '=', variant)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (previous === undefined) return 0;
  const { count } = await db
    .selectFrom('fragments')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('segment_id', '=', previous.id)
    .executeTakeFirstOrThrow();
  return Number(previous.sequence_base) + Number(count);
}

/** Each segment's `sequence_base`, for numbering live playlist entries. */
export async function segmentSequenceBases(db: Kysely<Database>, segmentIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const ids = [...new Set(segmentIds)];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await db
      .selectFrom('segments')
      .select(['id', 'sequence_base'])
      .where('id', 'in', ids.slice(i, i + IN_CHUNK))
      .execute();
    for (const row of rows) out.set(Number(row.id), Number(row.sequence_base));
  }
  return out;
}

export type FragmentInsert = Omit<FragmentRecord, 'segmentId'>;

/**
 * Records one fragment and grows its segment to cover it. Takes `trx`: the
 * fragment row and the segment's end and size must change together.
 */
export async function appendFragment(trx: Transaction<Database>, segmentId: number, f: FragmentInsert): Promise<void> {
  await trx
    .insertInto('fragments')
    .values({
      segment_id: segmentId,
      sequence_number: f.sequenceNumber,
      start_us: f.startUs,
      end_us: f.endUs,
      moof_offset: f.moofOffset,
      moof_size: f.moofSizeBytes,
      mdat_size: f.mdatSizeBytes,
      starts_with_keyframe: f.startsWithKeyframe ? 1 : 0,
      moof: f.moof,
    })
    .execute();
  const segment = await trx
    .selectFrom('segments')
    .select(['end_us', 'size_bytes'])
    .where('id', '=', segmentId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('segments')
    .set({
      end_us: Math.max(Number(segment.end_us), f.endUs),
      size_bytes: Math.max(Number(segment.size_bytes), f.moofOffset + f.moofSizeBytes + f.mdatSizeBytes),
    })
    .where('id', '=', segmentId)
    .execute();
}

export async function closeSegment(db: Kysely<Database>, segmentId: number): Promise<void> {
  await db.updateTable('segments').set({ closed: 1 }).where('id', '=', segmentId).execute();
}

export async function updateSegmentExtent(
  db: Kysely<Database>,
  segmentId: number,
  extent: { endUs: number; sizeBytes: number; closed: boolean },
): Promise<void> {
  await db
    .updateTable('segments')
    .set({ end_us: extent.endUs, size_bytes: extent.sizeBytes, closed: extent.closed ? 1 : 0 })
    .where('id', '=', segmentId)
    .execute();
}

export interface SegmentQuery {
  /** Every stream when absent. */
  stream?: string;
  /** Every variant when absent. */
  variant?: Variant;
  /** Segments ending after this instant. */
  fromUs?: number;
  /** Segments starting before this instant. */
  toUs?: number;
  closed?: boolean;
}

/** Segments overlapping `[fromUs, toUs)`, ordered by start. */
export async function listSegments(db: Kysely<Database>, q: SegmentQuery = {}): Promise<SegmentRecord[]> {
  let query = db.selectFrom('segments').selectAll();
  if (q.stream !== undefined) query = query.where('stream', '=', q.stream);
  if (q.variant !== undefined) query = query.where('variant', '=', q.variant);
  if (q.fromUs !== undefined) query = query.where('end_us', '>', q.fromUs);
  if (q.toUs !== undefined) query = query.where('start_us', '<', q.toUs);
  if (q.closed !== undefined) query = query.where('closed', '=', q.closed ? 1 : 0);
  const rows = await query.orderBy('start_us').orderBy('id').execute();
  return rows.map(segmentRowToSegment);
}

export async function findSegmentById(db: Kysely<Database>, id: number): Promise<SegmentRecord | undefined> {
  const row = await db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : segmentRowToSegment(row);
}

export async function findSegmentByPath(
  db: Kysely<Database>,
  root: string,
  path: string,
): Promise<SegmentRecord | undefined> {
  const row = await db
    .selectFrom('segments')
    .selectAll()
    .where('root', '=', root)
    .where('path', '=', path)
    .executeTakeFirst();
  return row === undefined ? undefined : segmentRowToSegment(row);
}

/** Distinct roots that hold indexed segments. */
export async function listSegmentRoots(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('segments').select('root').distinct().orderBy('root').execute();
  return rows.map((r) => r.root);
}

// Keeps each `IN (…)` list well under SQLite's bound-parameter limit.
const IN_CHUNK = 500;

/** Fragments of the given segments, ordered by segment then file offset. */
export async function listFragments(db: Kysely<Database>, segmentIds: number[]): Promise<FragmentRecord[]> {
  const out: FragmentRecord[] = [];
  const ids = [...new Set(segmentIds)].sort((a, b) => a - b);
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await db
      .selectFrom('fragments')
      .selectAll()
      .where('segment_id', 'in', ids.slice(i, i + IN_CHUNK))
      .orderBy('segment_id')
      .orderBy('moof_offset')
      .execute();
    for (const row of rows) out.push(fragmentRowToFragment(row));
  }
  return out;
}

/** Deletes the segment row; its fragments go with it (ON DELETE CASCADE). */
export async function deleteSegment(db: Kysely<Database>, segmentId: number): Promise<void> {
  await db.deleteFrom('segments').where('id', '=', segmentId).execute();
}

export interface StreamDepth {
  fromUs?: number;
  toUs?: number;
  sizeBytes: number;
  segments: number;
}

export async function streamDepth(db: Kysely<Database>, stream: string): Promise<StreamDepth> {
  const row = await db
    .selectFrom('segments')
    .select((eb) => [
      eb.fn.min('start_us').as('from_us'),
      eb.fn.max('end_us').as('to_us'),
      eb.fn.sum<number>('size_bytes').as('size_bytes'),
      eb.fn.countAll<number>().as('segments'),
    ])
    .where('stream', '=', stream)
    .executeTakeFirstOrThrow();
  const segments = Number(row.segments);
  if (segments === 0) return { sizeBytes: 0, segments: 0 };
  return { fromUs: Number(row.from_us), toUs: Number(row.to_us), sizeBytes: Number(row.size_bytes), segments };
}
