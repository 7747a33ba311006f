/** A stream's recorder state as a badge, and its archive depth, worded for people. */
import type { StreamView } from '../api/types.js';
import { formatDuration } from '../exports/progress.js';

const LABELS: Record<StreamView['state']['status'], string> = {
  recording: 'Recording',
  connecting: 'Connecting',
  retrying: 'Source lost · retrying',
  stopped: 'Stopped',
  disabled: 'Disabled',
};

export function StatusBadge({ stream }: { stream: StreamView }) {
  const { status, last_error } = stream.state;
  const next = stream.state.recorders.find((r) => r.variant === 'main')?.next_attempt_at;
  const retryIn = next === undefined ? undefined : Math.max(0, Math.round(next - Date.now() / 1000));
  return (
    <div class={`status status-${status}`} data-status={status}>
      <span class="dot" aria-hidden="true" />
      <span>{LABELS[status]}</span>
      {status === 'retrying' && retryIn !== undefined && <span class="muted"> (next try in {retryIn} s)</span>}
      {last_error && status !== 'recording' && (
        <p class="last-error" title={last_error.code}>
          {last_error.message}
        </p>
      )}
    </div>
  );
}

/** `3 d 4 h`, `2 h 5 min`, `45 s` */
export function formatDepth(seconds: number): string {
  if (seconds <= 0) return 'nothing recorded';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return formatDuration(seconds).replace(/^0:/, '') + ' s';
}
