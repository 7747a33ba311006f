import type { Insertable, Selectable, Updateable } from 'kysely';

export interface FragmentsTable {
  segment_id: number;
  sequence_number: number;
  start_us: number;
  end_us: number;
  moof_offset: number;
  moof_size: number;
  /** Whole mdat, header included. */
  mdat_size: number;
  /** 0 or 1. */
  starts_with_keyframe: number;
  moof: Uint8Array;
}

export type FragmentRow = Selectable<FragmentsTable>;
export type NewFragmentRow = Insertable<FragmentsTable>;
export type FragmentRowUpdate = Updateable<FragmentsTable>;
