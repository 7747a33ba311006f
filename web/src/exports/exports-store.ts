/**
 * Export jobs as the UI sees them: the list from `GET /api/v1/exports`, kept
 * current by the event stream. One store for the whole page, so the stream
 * page's panel and the exports page agree and share one EventSource.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { subscribeExportEvents } from '../api/export-events.js';
import type { ExportEvent, ExportJob } from '../api/types.js';

export interface ExportsSnapshot {
  jobs: ExportJob[];
  /** When each running job was first seen running (ms): the ETA's start. */
  runningSinceMs: ReadonlyMap<string, number>;
  /**
   * Finished jobs the server has dropped from its list (its `cancel_task_with_states`):
   * still shown here, but their file can no longer be fetched through the API.
   */
  goneFromServer: ReadonlySet<string>;
  connected: boolean;
  loading: boolean;
  error: string | undefined;
}

let jobs = new Map<string, ExportJob>();
const runningSince = new Map<string, number>();
const goneFromServer = new Set<string>();
let connected = false;
let loading = true;
let error: string | undefined;
let unsubscribe: (() => void) | undefined;
const listeners = new Set<() => void>();

function snapshot(): ExportsSnapshot {
  const list = [...jobs.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return { jobs: list, runningSinceMs: runningSince, goneFromServer, connected, loading, error };
}

function notify(): void {
  for (const l of listeners) l();
}

function noteRunning(job: ExportJob): void {
  if (job.state === 'exporting' && !runningSince.has(job.id)) {
    const started = job.started_at === null ? Date.now() : Date.parse(job.started_at);
    runningSince.set(job.id, Math.min(Date.now(), started));
  }
}

function apply(event: ExportEvent): void {
  if (event.type === 'state') {
    jobs.set(event.job.id, event.job);
    noteRunning(event.job);
  } else if (event.type === 'progress') {
    const job = jobs.get(event.id);
    if (job) jobs.set(event.id, { ...job, step: event.step, percent: event.percent });
  } else {
    const job = jobs.get(event.id);
    // A job that just finished stays in view so the user sees how it ended.
    if (job !== undefined && (job.state === 'success' || job.state === 'error')) goneFromServer.add(event.id);
    else jobs.delete(event.id);
    runningSince.delete(event.id);
  }
  notify();
}

export async function reloadExports(): Promise<void> {
  try {
    const list = await api.exports();
    const kept = [...goneFromServer].flatMap((id) => {
      const job = jobs.get(id);
      return job ? [[id, job] as const] : [];
    });
    jobs = new Map([...kept, ...list.map((j) => [j.id, j] as const)]);
    list.forEach(noteRunning);
    error = undefined;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  } finally {
    loading = false;
    notify();
  }
}

function start(): void {
  if (unsubscribe) return;
  void reloadExports();
  unsubscribe = subscribeExportEvents({
    onEvent: apply,
    onConnection(up) {
      // Events missed while the stream was down are read back in one list call.
      if (up && !connected) void reloadExports();
      connected = up;
      notify();
    },
  });
}

/** Adds or replaces a job the UI already has the answer for (the POST's 202). */
export function upsertExport(job: ExportJob): void {
  jobs.set(job.id, job);
  noteRunning(job);
  notify();
}

export function removeExportLocally(id: string): void {
  jobs.delete(id);
  goneFromServer.delete(id);
  notify();
}

/** Closes the event stream (sign-out). */
export function stopExports(): void {
  unsubscribe?.();
  unsubscribe = undefined;
  jobs = new Map();
  goneFromServer.clear();
  connected = false;
  loading = true;
  notify();
}

/** `enabled`: false for viewers, whose role may not list exports (nothing is fetched then). */
export function useExports(enabled = true): ExportsSnapshot {
  const [state, setState] = useState(snapshot);
  useEffect(() => {
    if (!enabled) return undefined;
    const listener = () => setState(snapshot());
    listeners.add(listener);
    start();
    listener();
    return () => listeners.delete(listener);
  }, [enabled]);
  return state;
}
