import type { Generated, Insertable, Selectable } from 'kysely';

export interface EventsTable {
  id: Generated<number>;
  stream: string;
  start_us: number;
  end_us: number;
  label: string;
  /** One of EVENT_SEVERITIES. */
  severity: string;
  /** JSON `[{t, x, y, w, h}]`, t in UTC µs, ordered by t. */
  boxes: string;
  created_at_us: number;
}

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
