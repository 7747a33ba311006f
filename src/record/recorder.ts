/**
 * The recorder of one source: the supervisor around recorder attempts. It
 * connects, records, and when an attempt fails waits (1 s, doubling to 30 s,
 * back to 1 s after an attempt that recorded) and tries again, for ever,
 * keeping the last error for the API. `stop()` ends the current attempt and
 * resolves once its segment is closed.
 */
import { EventEmitter } from 'node:events';
import type { ArchiveWriter, SegmentRecord } from '../archive/types.js';
import type { AudioHandling, RtspTransport, Variant } from '../config/stream-types.js';
import { isVigilError, messageOf } from '../errors.js';
import type { MediaEngine } from '../media/types.js';
import { nowUs } from '../time.js';
import type { FragmenterOptions } from './fragmenter.js';
import { wantsNativeRtsp } from '../media/rtsp/index.js';
import { resolveSourceInput } from '../media/source-url.js';
import { runRecorderAttempt } from './recorder-attempt.js';
import { runWorkerAttempt } from './worker-attempt.js';
import type { WrittenFragment } from './segment-writer.js';
import type { GatedSource, SourceGate } from './source-gate.js';
import type { RecorderError, RecorderState, RecorderStatus } from './types.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RecorderOptions {
  /**
   * Opens sources read on the main thread: demo:// always, and every source
   * with `thread: 'main'`. A worker thread opens the others with its own
   * blocking reader.
   */
  engine: MediaEngine;
  archive: ArchiveWriter;
  stream: string;
  variant: Variant;
  url: string;
  audio?: AudioHandling;
  rtspTransport?: RtspTransport;
  openTimeoutMs?: number;
  stallTimeoutMs?: number;
  segmentDurationUs?: number;
  fragmenter?: Omit<FragmenterOptions, 'segmentDurationUs'>;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Where a demuxed source (rtsp, rtmp, http(s), srt, file) is read:
   * `worker` (the default) gives it a worker thread that reads with blocking
   * calls and hands over whole fragments, which costs far less CPU than one
   * asynchronous read per packet on the main thread. A custom `now` clock
   * cannot cross into a worker, so with one the default is `main`.
   */
  thread?: 'worker' | 'main';
  /** UTC µs clock. */
  now?: () => number;
  /** Waits `ms` unless `signal` aborts first (resolves either way). Tests inject a faster one. */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  warn?: (message: string) => void;
  /** A source Vigil waits for (publish://): each attempt first waits at the gate for the URL to open. */
  gate?: SourceGate;
}

export interface RecorderEvents {
  stateChanged: [state: RecorderState];
  segmentOpened: [segment: SegmentRecord];
  fragmentWritten: [fragment: WrittenFragment];
  segmentClosed: [segment: SegmentRecord];
}

const DEFAULT_OPEN_TIMEOUT_MS = 10_000;
const DEFAULT_STALL_TIMEOUT_MS = 10_000;
const DEFAULT_MIN_BACKOFF_MS = 1_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;

export class Recorder extends EventEmitter<RecorderEvents> {
  private readonly now: () => number;
  private current: RecorderState;
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(readonly options: RecorderOptions) {
    super();
    this.now = options.now ?? nowUs;
    this.current = {
      variant: options.variant,
      status: 'stopped',
      sinceUs: this.now(),
      lastError: undefined,
      nextAttemptAtUs: undefined,
      lastPacketAtUs: undefined,
      segmentsWritten: 0,
      bytesWritten: 0,
      codecs: undefined,
    };
  }

  state(): RecorderState {
    const publisher = this.options.gate?.publisher();
    return publisher === undefined ? { ...this.current } : { ...this.current, publisher };
  }

  start(): void {
    if (this.loop !== undefined) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    const loop = this.loop;
    this.controller?.abort();
    this.loop = undefined;
    this.controller = undefined;
    await loop;
    this.setStatus('stopped', { nextAttemptAtUs: undefined });
  }

  private async run(signal: AbortSignal): Promise<void> {
    const o = this.options;
    const minBackoffMs = o.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS;
    const maxBackoffMs = o.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    const delay = o.delay ?? abortableDelay;
    let backoffMs = minBackoffMs;
    const thread = o.thread ?? (o.now === undefined ? 'worker' : 'main');
    while (!signal.aborted) {
      let url = o.url;
      let gated: GatedSource | undefined;
      if (o.gate !== undefined) {
        this.setStatus('waiting', { nextAttemptAtUs: undefined });
        gated = await o.gate.waitForSource(signal);
        if (gated === undefined) return;
        url = gated.url;
      }
      // The native RTSP client reads without blocking and costs little: it stays on the main thread.
      const inWorker =
        thread === 'worker' && isDemuxed(url) && !wantsNativeRtsp(url, { rtspTransport: o.rtspTransport });
      const runAttempt = inWorker ? runWorkerAttempt : runRecorderAttempt;
      this.setStatus('connecting', { nextAttemptAtUs: undefined });
      let recorded = false;
      let failure: unknown;
      try {
        await runAttempt({
          engine: o.engine,
          archive: o.archive,
          stream: o.stream,
          variant: o.variant,
          url,
          audio: o.audio ?? 'transcode',
          rtspTransport: o.rtspTransport ?? 'tcp',
          openTimeoutMs: o.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS,
          stallTimeoutMs: o.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
          fragmenter: { ...o.fragmenter, segmentDurationUs: o.segmentDurationUs },
          now: this.now,
          signal,
          warn: o.warn ?? (() => undefined),
          events: {
            connected: () => undefined,
            discontinuity: () => undefined,
            segmentOpened: (segment, codecs) => {
              recorded = true;
              this.current.codecs = codecs;
              if (this.current.status !== 'recording') this.setStatus('recording', { lastError: undefined });
              this.emit('segmentOpened', segment);
            },
            fragmentWritten: (fragment) => {
              this.current.lastPacketAtUs = fragment.endUs;
              this.current.bytesWritten += fragment.sizeBytes;
              this.emit('fragmentWritten', fragment);
            },
            segmentClosed: (segment) => {
              this.current.segmentsWritten += 1;
              this.emit('segmentClosed', segment);
            },
          },
        });
      } catch (err) {
        failure = err;
      }
      if (signal.aborted) return;
      if (recorded) backoffMs = minBackoffMs;
      // The publisher left: back to waiting for the next one, which is no failure.
      if (gated?.ended()) continue;
      const waitMs = backoffMs;
      backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
      this.setStatus('retrying', {
        lastError: toRecorderError(failure ?? new Error('source ended'), this.now()),
        nextAttemptAtUs: this.now() + waitMs * 1000,
      });
      await delay(waitMs, signal);
    }
  }

  private setStatus(status: RecorderStatus, patch: Partial<RecorderState> = {}): void {
    this.current = { ...this.current, ...patch, status, sinceUs: this.now() };
    this.emit('stateChanged', this.state());
  }
}

/** Whether FFmpeg demuxes the source (the worker's reader can open it); a bad URL fails in the attempt, as before. */
function isDemuxed(url: string): boolean {
  try {
    return resolveSourceInput(url, { openTimeoutMs: 1, readTimeoutMs: 1 }).kind === 'demux';
  } catch {
    return false;
  }
}

function toRecorderError(err: unknown, atUs: number): RecorderError {
  if (isVigilError(err)) return { code: err.code, message: err.message, atUs };
  return { code: 'SOURCE_FAILED', message: messageOf(err), atUs };
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
