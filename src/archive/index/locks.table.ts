import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface LocksTable {
  id: Generated<number>;
  stream: string;
  from_us: number;
  duration_us: number;
  created_at_us: number;
}

export type LockRow = Selectable<LocksTable>;
export type NewLockRow = Insertable<LocksTable>;
export type LockRowUpdate = Updateable<LocksTable>;
