/**
 * `GET /api/v1/events` (Server-Sent Events) as typed export events. The
 * browser's EventSource reconnects by itself; `onConnection` says whether the
 * stream is up so the UI can show that progress may be stale.
 */
import type { ExportEvent, ExportJob } from './types.js';

export interface ExportEventHandlers {
  onEvent(event: ExportEvent): void;
  onConnection(connected: boolean): void;
}

function parse<T>(message: MessageEvent): T | undefined {
  try {
    return JSON.parse(String(message.data)) as T;
  } catch {
    return undefined;
  }
}

/** Subscribes until the returned function is called. */
export function subscribeExportEvents(handlers: ExportEventHandlers): () => void {
  const source = new EventSource('/api/v1/events', { withCredentials: true });
  source.onopen = () => handlers.onConnection(true);
  source.onerror = () => handlers.onConnection(false);
  source.addEventListener('export.state', (m) => {
    const data = parse<{ job: ExportJob }>(m);
    if (data?.job) handlers.onEvent({ type: 'state', job: data.job });
  });
  source.addEventListener('export.progress', (m) => {
    const data = parse<{ id: string; step: string | null; percent: number }>(m);
    if (data) handlers.onEvent({ type: 'progress', id: data.id, step: data.step, percent: data.percent });
  });
  source.addEventListener('export.removed', (m) => {
    const data = parse<{ id: string }>(m);
    if (data) handlers.onEvent({ type: 'removed', id: data.id });
  });
  return () => source.close();
}
