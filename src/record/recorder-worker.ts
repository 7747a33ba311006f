/**
 * The worker thread of one recorder attempt (started by worker-attempt.ts).
 * It runs the same attempt as the main thread would (runRecorderAttempt:
 * tracks, G.711 transcoding, the packet pipeline with its cut rules), but
 * over a blocking reader, and in place of the archive it posts segment
 * events to the main thread, which writes them. A few messages a second
 * instead of a thread-pool job and an event-loop wake-up per packet.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { ArchiveWriter, NewFragment, NewSegment, SegmentAppender, SegmentRecord } from '../archive/types.js';
import { VigilError } from '../errors.js';
import { openBlockingSource, sharedReadControl, type ReadControl } from '../media/demux-reader.js';
import { resolveSourceInput } from '../media/source-url.js';
import type { AudioTranscoder, MediaSource, OpenSourceOptions, SourceTrack } from '../media/types.js';
import { nowUs } from '../time.js';
import { runRecorderAttempt } from './recorder-attempt.js';
import { segmentCodecs } from './segment-writer.js';
import {
  FLAG_PROGRESS,
  FLAG_STOP,
  toWireError,
  type WireError,
  type WorkerMessage,
  type WorkerStart,
} from './worker-protocol.js';

/** mdat buffers are allocated in steps of this, so that one handed back fits the next fragment. */
const MDAT_BUFFER_STEP_BYTES = 256 << 10;
/** Buffers handed back and kept for reuse; more would only be memory. */
const MAX_SPARE_BUFFERS = 3;

const start = workerData as WorkerStart;
const port = parentPort;
if (port === null) throw new Error('recorder-worker: must run in a worker thread');

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

const spare: ArrayBuffer[] = [];

/** A buffer of at least `size` bytes: one the main thread handed back when it fits. */
function mdatBuffer(size: number): ArrayBuffer {
  for (let m = receiveMessageOnPort(start.buffers); m !== undefined; m = receiveMessageOnPort(start.buffers)) {
    if (m.message instanceof ArrayBuffer && spare.length < MAX_SPARE_BUFFERS) spare.push(m.message);
  }
  const fit = spare.findIndex((b) => b.byteLength >= size);
  if (fit >= 0) return spare.splice(fit, 1)[0]!;
  return new ArrayBuffer(Math.ceil(size / MDAT_BUFFER_STEP_BYTES) * MDAT_BUFFER_STEP_BYTES);
}

class PostingAppender implements SegmentAppender {
  readonly segment: SegmentRecord;

  constructor(start: NewSegment) {
    // Only the main thread's record (from the archive) is ever shown; this one fills the type.
    this.segment = {
      id: 0,
      stream: start.stream,
      variant: start.variant,
      startUs: start.startUs,
      endUs: start.startUs,
      root: '',
      path: '',
      sizeBytes: start.initSegment.byteLength,
      initSizeBytes: start.initSegment.byteLength,
      tracks: start.tracks,
      codecs: segmentCodecs(start.tracks),
      closed: false,
    };
  }

  appendFragment(fragment: NewFragment): Promise<void> {
    const size = fragment.mdatChunks.reduce((sum, c) => sum + c.byteLength, 0);
    const buffer = mdatBuffer(size);
    const mdat = new Uint8Array(buffer, 0, size);
    let at = 0;
    for (const chunk of fragment.mdatChunks) {
      mdat.set(chunk, at);
      at += chunk.byteLength;
    }
    post(
      {
        type: 'fragment',
        sequenceNumber: fragment.sequenceNumber,
        startUs: fragment.startUs,
        endUs: fragment.endUs,
        startsWithKeyframe: fragment.startsWithKeyframe,
        // A copy of its own: the index keeps the moof, and must not keep a view of a larger buffer.
        moof: fragment.moof.slice(),
        mdat,
      },
      [buffer],
    );
    return Promise.resolve();
  }

  close(): Promise<void> {
    post({ type: 'segment-closed' });
    return Promise.resolve();
  }
}

const postingArchive: ArchiveWriter = {
  openSegment(segment: NewSegment): Promise<SegmentAppender> {
    post({ type: 'segment', segment: { ...segment, initSegment: segment.initSegment.slice() } });
    return Promise.resolve(new PostingAppender(segment));
  },
};

async function run(): Promise<WireError | undefined> {
  const { config } = start;
  const stop = new AbortController();
  const shared = sharedReadControl(start.flags, FLAG_STOP, FLAG_PROGRESS);
  // A stop the main thread asks for becomes this thread's abort the moment the reader sees it.
  const control: ReadControl = {
    ...shared,
    stopRequested: () => {
      if (!shared.stopRequested()) return false;
      stop.abort();
      return true;
    },
  };
  const engine = {
    openSource(url: string, options: OpenSourceOptions): Promise<MediaSource> {
      const input = resolveSourceInput(url, options);
      if (input.kind !== 'demux') throw new VigilError('SOURCE_UNSUPPORTED', 'recorder worker: only demuxed sources');
      const source = openBlockingSource(url, input, {
        readTimeoutMs: options.readTimeoutMs,
        realtime: options.realtime,
        control,
      });
      control.stopRequested();
      return Promise.resolve(source);
    },
    async createAacTranscoder(track: SourceTrack): Promise<AudioTranscoder> {
      // Loaded only for G.711 sources: it brings node-av's high-level API into this thread.
      const { createAacTranscoder } = await import('../media/aac-transcoder.js');
      return createAacTranscoder(track);
    },
  };
  try {
    await runRecorderAttempt({
      ...config,
      engine,
      archive: postingArchive,
      now: nowUs,
      signal: stop.signal,
      warn: (message) => post({ type: 'warn', message }),
      events: {
        connected: () => post({ type: 'connected' }),
        discontinuity: (reason) => post({ type: 'discontinuity', reason }),
        // The main thread tells these once the archive has them.
        segmentOpened: () => undefined,
        fragmentWritten: () => undefined,
        segmentClosed: () => undefined,
      },
    });
    return undefined;
  } catch (err) {
    return toWireError(err);
  }
}

const error = await run();
post({ type: 'ended', error });
start.buffers.close();
