import type { Kysely } from 'kysely';
import { VigilError } from '../../errors.js';
import { EVENT_LIMITS, parseSeverity } from '../event-check.js';
import type { EventBox, NewStreamEvent, StreamEventRecord } from '../types.js';
import type { Database } from './database.js';
import type { EventRow } from './events.table.js';

interface StoredBox {
  t: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

function boxesToJson(boxes: readonly EventBox[]): string {
  return JSON.stringify(boxes.map((b): StoredBox => ({ t: b.tUs, x: b.x, y: b.y, w: b.w, h: b.h })));
}

function boxesFromJson(text: string, id: number): EventBox[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new VigilError('STORAGE_FAILED', `event ${id}: its boxes are not a list`);
  return (parsed as StoredBox[]).map((b) => ({ tUs: Number(b.t), x: b.x, y: b.y, w: b.w, h: b.h }));
}

export function eventRowToEvent(row: EventRow): StreamEventRecord {
  const id = Number(row.id);
  return {
    id,
    stream: row.stream,
    startUs: Number(row.start_us),
    endUs: Number(row.end_us),
    label: row.label,
    severity: parseSeverity(row.severity),
    boxes: boxesFromJson(row.boxes, id),
    createdAtUs: Number(row.created_at_us),
  };
}

/** Stores a checked event (see event-check.ts). */
export async function insertEvent(
  db: Kysely<Database>,
  event: NewStreamEvent & { createdAtUs: number },
): Promise<StreamEventRecord> {
  const row = await db
    .insertInto('events')
    .values({
      stream: event.stream,
      start_us: event.startUs,
      end_us: event.endUs,
      label: event.label,
      severity: event.severity,
      boxes: boxesToJson(event.boxes ?? []),
      created_at_us: event.createdAtUs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return eventRowToEvent(row);
}

/**
 * Events of a stream overlapping `[fromUs, toUs)`, ordered by start: those that end after `fromUs`,
 * and instants at or after it. The lower bound on start (no event lasts longer than
 * EVENT_LIMITS.maxDurationUs) keeps the scan inside the (stream, start_us) index.
 */
export async function listEvents(
  db: Kysely<Database>,
  stream: string,
  fromUs: number,
  toUs: number,
): Promise<StreamEventRecord[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('stream', '=', stream)
    .where('start_us', '>=', fromUs - EVENT_LIMITS.maxDurationUs)
    .where('start_us', '<', toUs)
    .where((eb) => eb.or([eb('end_us', '>', fromUs), eb('start_us', '>=', fromUs)]))
    .orderBy('start_us')
    .orderBy('id')
    .execute();
  return rows.map(eventRowToEvent);
}

/** Deletes one event of a stream; false when the stream has no event with that id. */
export async function deleteEvent(db: Kysely<Database>, stream: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('events').where('id', '=', id).where('stream', '=', stream).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteEventsOfStream(db: Kysely<Database>, stream: string): Promise<number> {
  const result = await db.deleteFrom('events').where('stream', '=', stream).executeTakeFirst();
  return Number(result.numDeletedRows);
}
