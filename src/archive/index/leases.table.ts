import type { Insertable, Selectable, Updateable } from 'kysely';

/**
 * Who records a stream (src/cluster/): one row per stream that has ever been
 * leased. `generation` only grows, so a writer holding an older one knows it
 * lost the stream; a released lease keeps its row with `expires_at_us = 0`.
 */
export interface StreamLeasesTable {
  stream: string;
  node: string;
  generation: number;
  renewed_at_us: number;
  expires_at_us: number;
  /** The recorders' published state (`PublishedRecorderState[]` as JSON); null until the first renewal. */
  state_json: string | null;
}

export type StreamLeaseRow = Selectable<StreamLeasesTable>;
export type NewStreamLeaseRow = Insertable<StreamLeasesTable>;
export type StreamLeaseRowUpdate = Updateable<StreamLeasesTable>;

/** Each node's heartbeat, so recorders know how many share the streams (even those holding none yet). */
export interface ClusterNodesTable {
  node: string;
  /** Comma-separated roles, e.g. `recorder,api`. */
  roles: string;
  last_seen_us: number;
}

export type ClusterNodeRow = Selectable<ClusterNodesTable>;
