import type { Insertable, Selectable, Updateable } from 'kysely';

/**
 * One row per export job. The job's spec is kept as JSON so the request shape
 * can grow without a migration; everything the queue decides on has its own column.
 */
export interface ExportJobsTable {
  /** The task id the client chose or was given. */
  id: string;
  /** Queue order: earlier first, also across restarts. */
  seq: number;
  kind: string;
  spec: string;
  state: string;
  step: string | null;
  percent: number;
  created_at_us: number;
  started_at_us: number | null;
  finished_at_us: number | null;
  error_code: string | null;
  error_message: string | null;
  file_path: string;
  bytes: number | null;
  webhook_url: string | null;
  /** `s3://bucket/key` of the finished file in cluster storage; null when it is only in the local export dir. */
  file_location: string | null;
}

export type ExportJobRow = Selectable<ExportJobsTable>;
export type NewExportJobRow = Insertable<ExportJobsTable>;
export type ExportJobRowUpdate = Updateable<ExportJobsTable>;
