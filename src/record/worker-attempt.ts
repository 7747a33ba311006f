/**
 * A recorder attempt whose reading runs in a worker thread
 * (recorder-worker.ts), with the same contract as runRecorderAttempt:
 * resolves when stopped through `signal`, rejects with the reason the source
 * failed, and leaves no segment open.
 *
 * The main thread keeps what must stay here: the archive (segment files and
 * the SQLite index, written in the order the worker asked), the events the
 * supervisor and the API see, and the timers a blocked worker cannot run.
 * A worker blocked in a read cannot be interrupted from outside: a stop, an
 * open timeout or a stall that FFmpeg has not noticed yet gives it a short
 * grace to end cleanly; after that the main thread closes the open segment
 * itself (losing at most the fragment the worker was filling) and leaves the
 * worker to exit when its read returns (FFmpeg's I/O timeout bounds that).
 */
import { MessageChannel, Worker, type TransferListItem } from 'node:worker_threads';
import type { SegmentAppender } from '../archive/types.js';
import { VigilError, messageOf } from '../errors.js';
import { redact } from '../media/demux-source.js';
import type { AttemptOptions } from './recorder-attempt.js';
import { recorderWorkerUrl } from './worker-entry.js';
import {
  FLAG_COUNT,
  FLAG_PROGRESS,
  FLAG_STOP,
  fromWireError,
  type WorkerAttemptConfig,
  type WorkerMessage,
  type WorkerStart,
} from './worker-protocol.js';

/** How long a stopped worker gets to write its last fragment before the main thread closes the segment. */
const STOP_GRACE_MS = 750;
/** The main thread's stall check comes this long after the worker's own (FFmpeg's timeout), as a backstop. */
const STALL_BACKSTOP_EXTRA_MS = 1_000;

export function runWorkerAttempt(options: AttemptOptions): Promise<void> {
  if (options.signal.aborted) return Promise.resolve();
  return new WorkerAttempt(options).run();
}

class WorkerAttempt {
  private readonly flags = new Int32Array(new SharedArrayBuffer(FLAG_COUNT * Int32Array.BYTES_PER_ELEMENT));
  private readonly buffers = new MessageChannel();
  private worker: Worker | undefined;
  /** Archive work, in the order the worker asked for it. */
  private chain: Promise<void> = Promise.resolve();
  private appender: SegmentAppender | undefined;
  private failure: unknown;
  private stopRequested = false;
  private finished = false;
  private openTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(private readonly options: AttemptOptions) {}

  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      const o = this.options;
      const config: WorkerAttemptConfig = {
        stream: o.stream,
        variant: o.variant,
        url: o.url,
        audio: o.audio,
        rtspTransport: o.rtspTransport,
        openTimeoutMs: o.openTimeoutMs,
        stallTimeoutMs: o.stallTimeoutMs,
        fragmenter: o.fragmenter,
      };
      const start: WorkerStart = { config, flags: this.flags, buffers: this.buffers.port2 };
      try {
        this.worker = spawnWorker(start, [this.buffers.port2]);
      } catch (err) {
        this.fail(new VigilError('INTERNAL', `recorder worker: could not start: ${messageOf(err)}`, { cause: err }));
        this.finish();
        return;
      }
      this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
      this.worker.on('error', (err) => {
        this.fail(new VigilError('INTERNAL', `recorder worker failed: ${messageOf(err)}`, { cause: err }));
        this.finish();
      });
      this.worker.on('exit', (code) => {
        this.fail(new VigilError('INTERNAL', `recorder worker exited (${code}) before the attempt ended`));
        this.finish();
      });
      this.openTimer = setTimeout(() => {
        this.fail(new VigilError('TIMEOUT', `source ${redact(o.url)}: not open after ${o.openTimeoutMs} ms`));
        this.requestStop();
      }, o.openTimeoutMs);
      o.signal.addEventListener('abort', this.onAbort, { once: true });
    });
  }

  private readonly onAbort = (): void => this.requestStop();

  private onMessage(message: WorkerMessage): void {
    if (this.finished) return;
    const events = this.options.events;
    switch (message.type) {
      case 'connected':
        clearTimeout(this.openTimer);
        this.watchForStall();
        events.connected();
        return;
      case 'warn':
        this.options.warn(message.message);
        return;
      case 'discontinuity':
        events.discontinuity(message.reason);
        return;
      case 'segment':
        this.enqueue(async () => {
          this.appender = await this.options.archive.openSegment(message.segment);
          events.segmentOpened(this.appender.segment, this.appender.segment.codecs);
        });
        return;
      case 'fragment':
        this.enqueue(async () => {
          const appender = this.appender;
          if (appender === undefined) return;
          const { moof, mdat } = message;
          await appender.appendFragment({
            sequenceNumber: message.sequenceNumber,
            startUs: message.startUs,
            endUs: message.endUs,
            startsWithKeyframe: message.startsWithKeyframe,
            moof,
            mdatChunks: [mdat],
          });
          // On disk now: the worker reuses the buffer for a later fragment.
          this.buffers.port1.postMessage(mdat.buffer, [mdat.buffer as ArrayBuffer]);
          events.fragmentWritten({
            segment: appender.segment,
            sequenceNumber: message.sequenceNumber,
            startUs: message.startUs,
            endUs: message.endUs,
            sizeBytes: moof.byteLength + mdat.byteLength,
          });
        });
        return;
      case 'segment-closed':
        this.enqueue(() => this.closeSegment());
        return;
      case 'ended':
        if (message.error !== undefined) this.fail(fromWireError(message.error));
        this.finish();
        return;
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      // The archive failed (disk full, index error): the attempt fails, and the source is let go.
      this.fail(err);
      this.requestStop();
    });
  }

  private async closeSegment(): Promise<void> {
    const appender = this.appender;
    this.appender = undefined;
    if (appender === undefined) return;
    await appender.close();
    this.options.events.segmentClosed(appender.segment);
  }

  /**
   * A backstop for a source that goes silent without FFmpeg noticing within
   * the stall timeout (its I/O timeout is the larger of open and stall).
   */
  private watchForStall(): void {
    const limitMs = this.options.stallTimeoutMs + STALL_BACKSTOP_EXTRA_MS;
    const everyMs = Math.max(250, Math.min(1_000, Math.floor(this.options.stallTimeoutMs / 4)));
    let seen = Atomics.load(this.flags, FLAG_PROGRESS);
    let seenAtMs = performance.now();
    this.stallTimer = setInterval(() => {
      const now = Atomics.load(this.flags, FLAG_PROGRESS);
      if (now !== seen) {
        seen = now;
        seenAtMs = performance.now();
        return;
      }
      if (performance.now() - seenAtMs < limitMs) return;
      const o = this.options;
      this.fail(new VigilError('TIMEOUT', `source ${redact(o.url)}: no data for ${o.stallTimeoutMs} ms`));
      this.requestStop();
    }, everyMs);
  }

  private fail(err: unknown): void {
    this.failure ??= err;
  }

  private requestStop(): void {
    if (this.stopRequested || this.finished) return;
    this.stopRequested = true;
    clearTimeout(this.openTimer);
    clearInterval(this.stallTimer);
    Atomics.store(this.flags, FLAG_STOP, 1);
    Atomics.notify(this.flags, FLAG_STOP);
    // A worker blocked in a silent read would keep the stop waiting for FFmpeg's timeout.
    this.graceTimer = setTimeout(() => this.finish(), STOP_GRACE_MS);
  }

  /** Once the worker ended, or was given up on: close what is open, then settle. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.openTimer);
    clearInterval(this.stallTimer);
    clearTimeout(this.graceTimer);
    this.options.signal.removeEventListener('abort', this.onAbort);
    Atomics.store(this.flags, FLAG_STOP, 1);
    Atomics.notify(this.flags, FLAG_STOP);
    const worker = this.worker;
    if (worker !== undefined) {
      worker.removeAllListeners();
      // An error from a worker given up on must not become an unhandled 'error' event.
      worker.on('error', () => undefined);
      // It leaves on its own once its read returns; it must not keep the process up meanwhile.
      worker.unref();
    }
    this.enqueue(() => this.closeSegment());
    void this.chain.then(() => {
      this.buffers.port1.close();
      const settle = this.settle;
      this.settle = undefined;
      // Whatever a stop interrupted is not a failure of the source.
      if (this.options.signal.aborted) settle?.resolve();
      else settle?.reject(this.failure ?? new VigilError('SOURCE_FAILED', 'source ended'));
    });
  }
}

function spawnWorker(workerData: WorkerStart, transferList: TransferListItem[]): Worker {
  // Profiling flags follow the process into its workers; tsx's loader is not needed (worker-entry.ts).
  const execArgv = process.execArgv.filter((arg) => arg.startsWith('--cpu-prof') || arg.startsWith('--heap-prof'));
  return new Worker(recorderWorkerUrl(), { workerData, transferList, execArgv });
}
