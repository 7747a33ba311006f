import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface SegmentsTable {
  id: Generated<number>;
  stream: string;
  /** `main` or `sub`. */
  variant: string;
  start_us: number;
  end_us: number;
  root: string;
  path: string;
  size_bytes: number;
  init_size_bytes: number;
  /** `TrackConfig[]` as JSON, decoder configs as base64. */
  tracks: string;
  codecs: string;
  /** 0 while the recorder appends, 1 once closed (an integer: SQLite has no boolean to bind). */
  closed: number;
  /** Stream-wide ordinal of the segment's first fragment (live HLS media sequence numbers). */
  sequence_base: Generated<number>;
}

export type SegmentRow = Selectable<SegmentsTable>;
export type NewSegmentRow = Insertable<SegmentsTable>;
export type SegmentRowUpdate = Updateable<SegmentsTable>;
