import type { Insertable, Selectable, Updateable } from 'kysely';

/** One row per stream definition; the definition itself is kept as JSON so new fields need no migration. */
export interface StreamsTable {
  name: string;
  /** `StreamDefinition` as JSON text. */
  definition: string;
  created_at_us: number;
  updated_at_us: number;
}

export type StreamRow = Selectable<StreamsTable>;
export type NewStreamRow = Insertable<StreamsTable>;
export type StreamRowUpdate = Updateable<StreamsTable>;
