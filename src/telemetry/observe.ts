/**
 * Turns what the other parts already announce into bus events, without
 * those parts knowing about telemetry: recorder events, the export queue's
 * event hub, retention's callbacks, and lock calls (through a proxy of the
 * archive the API uses).
 */
import type { SegmentRecord } from '../archive/types.js';
import type { RetentionDeletion, RetentionPressure } from '../archive/retention-plan.js';
import type { ExportJobEvent } from '../export/queue/job-types.js';
import type { EventEmitter } from 'node:events';
import type { RecorderEvents } from '../record/recorder.js';
import { usToMs, type SegmentEventFields, type VigilEvent } from './events.js';
import type { VigilMetrics } from './metrics.js';

export interface EventOut {
  emit(event: VigilEvent): void;
  readonly metrics: VigilMetrics;
}

/** What telemetry needs of a Recorder (which has it). */
export interface ObservedRecorder extends EventEmitter<RecorderEvents> {
  readonly options: { stream: string; variant: string };
}

/** Recorder states, source loss, segments written and recorded bytes of one recorder. */
export function observeRecorder(recorder: ObservedRecorder, out: EventOut): void {
  const { stream, variant } = recorder.options;
  let previous: string | undefined;
  recorder.on('stateChanged', (state) => {
    const status: string = state.status;
    if (status === previous) return;
    const utc_ms = Date.now();
    const error =
      status === 'retrying' && state.lastError
        ? { code: state.lastError.code, message: state.lastError.message }
        : null;
    const next_attempt_utc_ms = state.nextAttemptAtUs === undefined ? null : usToMs(state.nextAttemptAtUs);
    if (previous === 'recording' && status === 'retrying') {
      out.emit({
        event: 'stream_state',
        utc_ms,
        stream,
        variant,
        state: 'source_lost',
        error,
        next_attempt_utc_ms: null,
      });
    }
    previous = status;
    out.emit({ event: 'stream_state', utc_ms, stream, variant, state: status, error, next_attempt_utc_ms });
  });
  recorder.on('fragmentWritten', (fragment) => out.metrics.addRecordedBytes(stream, variant, fragment.sizeBytes));
  recorder.on('segmentClosed', (segment) => {
    out.emit({ event: 'segment_written', ...segmentFields(segment), stream, variant });
  });
}

function segmentFields(segment: SegmentRecord): SegmentEventFields {
  return {
    utc_ms: Date.now(),
    stream: segment.stream,
    variant: segment.variant,
    segment_id: segment.id,
    start_utc_ms: usToMs(segment.startUs),
    end_utc_ms: usToMs(segment.endUs),
    bytes: segment.sizeBytes,
  };
}

/** Export job state changes; finished jobs also feed the duration histogram. */
export function exportJobListener(out: EventOut): (event: ExportJobEvent<{ stream: string }>) => void {
  return (event) => {
    if (event.type !== 'state') return;
    const { job } = event;
    out.emit({
      event: 'export_job',
      utc_ms: usToMs(event.atUs),
      stream: job.spec.stream,
      job_id: job.id,
      kind: job.kind,
      state: job.state,
      previous: event.previous ?? null,
      error: job.error === undefined ? null : { code: job.error.code, message: job.error.message },
      bytes: job.bytes ?? null,
    });
    if (job.finishedAtUs !== undefined && job.startedAtUs !== undefined && job.state !== event.previous) {
      out.metrics.observeExportJob(job.kind, job.state, (job.finishedAtUs - job.startedAtUs) / 1e6);
    }
  };
}

/** The retention runner's `onDeleted` and `onPressure` options. */
export function retentionCallbacks(out: EventOut): {
  onDeleted: (segment: SegmentRecord, deletion: RetentionDeletion) => void;
  onPressure: (pressure: RetentionPressure[]) => void;
} {
  // A stream stays under pressure pass after pass: say so when it starts, not every pass.
  let pressed = new Set<string>();
  return {
    onDeleted: (segment, deletion) =>
      out.emit({ event: 'retention_deleted', ...segmentFields(segment), reason: deletion.reason }),
    onPressure: (pressure) => {
      const now = new Set<string>();
      for (const p of pressure) {
        now.add(p.stream);
        if (pressed.has(p.stream)) continue;
        out.emit({
          event: 'disk_pressure',
          utc_ms: Date.now(),
          stream: p.stream,
          quota_bytes: p.quotaBytes,
          used_bytes: p.usedBytes,
          locked_bytes: p.lockedBytes,
        });
      }
      pressed = now;
    },
  };
}

interface LockApi {
  addLock(stream: string, fromUs: number, durationUs: number): unknown;
  removeLock(stream: string, fromUs: number, durationUs: number): unknown;
}

/**
 * The same archive, with `addLock`/`removeLock` announcing `lock_changed`
 * once they succeed. Other members pass through bound to the archive itself,
 * so its private fields keep working.
 */
export function withLockEvents<T extends LockApi>(archive: T, out: EventOut): T {
  const announce = (action: 'added' | 'removed', stream: string, fromUs: number, durationUs: number) =>
    out.emit({
      event: 'lock_changed',
      utc_ms: Date.now(),
      stream,
      action,
      from: fromUs / 1e6,
      duration: durationUs / 1e6,
    });
  return new Proxy(archive, {
    get(target, prop) {
      if (prop === 'addLock' || prop === 'removeLock') {
        const action = prop === 'addLock' ? 'added' : 'removed';
        return async (stream: string, fromUs: number, durationUs: number) => {
          const result = await target[prop](stream, fromUs, durationUs);
          announce(action, stream, fromUs, durationUs);
          return result;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
