/**
 * A job as clients see it on the wire (webhook bodies; the REST layer may
 * reuse it): snake_case, ISO 8601 times, null for what is not known yet. The
 * spec is left out: it can be large, and a client already knows what it asked.
 */
import { usToIso } from '../../time.js';
import {
  type ExportJob,
  type ExportJobState,
  type ExportJobStateEvent,
  exportStateCode,
  type ExportStateCode,
} from './job-types.js';

export interface ExportJobJson {
  id: string;
  kind: ExportJob['kind'];
  state: ExportJobState;
  state_code: ExportStateCode;
  step: NonNullable<ExportJob['step']> | null;
  percent: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: { code: string; message: string } | null;
  file_path: string;
  bytes: number | null;
}

export function exportJobToJson(job: ExportJob<unknown>): ExportJobJson {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    state_code: exportStateCode(job.state),
    step: job.step ?? null,
    percent: job.percent,
    created_at: usToIso(job.createdAtUs),
    started_at: job.startedAtUs === undefined ? null : usToIso(job.startedAtUs),
    finished_at: job.finishedAtUs === undefined ? null : usToIso(job.finishedAtUs),
    error: job.error === undefined ? null : { code: job.error.code, message: job.error.message },
    file_path: job.filePath,
    bytes: job.bytes ?? null,
  };
}

/** The body POSTed to a webhook on every state change. */
export interface ExportWebhookBody {
  event: 'export.state';
  previous_state: ExportJobState | null;
  at: string;
  job: ExportJobJson;
}

export function stateEventToWebhookBody(event: ExportJobStateEvent<unknown>): ExportWebhookBody {
  return {
    event: 'export.state',
    previous_state: event.previous ?? null,
    at: usToIso(event.atUs),
    job: exportJobToJson(event.job),
  };
}
