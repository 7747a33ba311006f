/**
 * A MediaSource read with node-av's synchronous calls, for a recorder that
 * runs in its own worker thread. Each read blocks that thread in
 * `av_read_frame` until a packet arrives: no thread-pool job and no event-loop
 * wake-up per packet, which is what made the asynchronous reader
 * (demux-source.ts) cost 2–4× ffmpeg's CPU. Only a worker may use it: a read
 * blocks for as long as the source is silent, up to FFmpeg's own I/O timeout,
 * and nothing can interrupt it from another thread, so a stop is seen between
 * packets (ReadControl).
 */
import './polyfills.js';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { AVERROR_EAGAIN, AVERROR_EOF, AVFMT_FLAG_NONBLOCK } from 'node-av/constants';
import { FFmpegError, FormatContext, Packet } from 'node-av/lib';
import { VigilError, messageOf } from '../errors.js';
import { fillPictureSizes, inputDictionary, redact, takeSourcePacket } from './demux-source.js';
import { streamToTrack } from './packet-convert.js';
import { RealtimePacer } from './pacer.js';
import type { DemuxInput } from './source-url.js';
import type { MediaSource, SourcePacket, SourceTrack } from './types.js';

/** FFmpeg's AVERROR(ETIMEDOUT): its network protocols gave up waiting for data. */
const AVERROR_ETIMEDOUT = -osConstants.errno.ETIMEDOUT;
/** FFmpeg's own back-off for EAGAIN (ffmpeg_demux.c sleeps 10 ms). */
const EAGAIN_RETRY_MS = 10;

/**
 * How another thread controls a blocked reader: it asks for a stop (seen
 * between packets), watches reads go by, and wakes a reader that waits.
 */
export interface ReadControl {
  stopRequested(): boolean;
  /** Called after every read that brought something. */
  onRead(): void;
  /** Blocks for up to `ms`, less when a stop is requested. */
  sleep(ms: number): void;
}

/** A ReadControl over two Int32 slots of shared memory: the stop request and a read counter. */
export function sharedReadControl(flags: Int32Array, stopIndex: number, progressIndex: number): ReadControl {
  return {
    stopRequested: () => Atomics.load(flags, stopIndex) !== 0,
    onRead: () => void Atomics.add(flags, progressIndex, 1),
    sleep: (ms) => void Atomics.wait(flags, stopIndex, 0, ms),
  };
}

export interface BlockingSourceOptions {
  readTimeoutMs: number;
  /** file:// only: pace packets at real time. */
  realtime?: boolean;
  control: ReadControl;
}

/**
 * Opens `input`, blocking the calling thread; FFmpeg's own timeouts (in
 * `input.options`) bound the wait, and a stop requested meanwhile is seen
 * once it returns.
 */
export function openBlockingSource(url: string, input: DemuxInput, options: BlockingSourceOptions): MediaSource {
  const context = new FormatContext();
  try {
    openInputSync(context, input);
  } catch (err) {
    try {
      context.closeInputSync();
    } catch {
      // Nothing was opened.
    }
    throw new VigilError('SOURCE_FAILED', `source ${redact(url)}: could not open: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const tracks = context.streams.map(streamToTrack).filter((t): t is SourceTrack => t !== undefined);
  return new BlockingDemuxSource(url, context, tracks, input.live, options);
}

class BlockingDemuxSource implements MediaSource {
  private readonly packet = new Packet();
  private closed = false;

  constructor(
    readonly url: string,
    private readonly context: FormatContext,
    readonly tracks: SourceTrack[],
    private readonly live: boolean,
    private readonly options: BlockingSourceOptions,
  ) {
    this.packet.alloc();
  }

  /**
   * Packets until a stop is requested (then it just ends: the caller knows
   * it asked). A live source that ends or fails throws SOURCE_FAILED (FFmpeg
   * reports a dropped connection as end of stream), one whose network read
   * timed out or that stays silent throws TIMEOUT; a file simply ends.
   */
  async *packets(): AsyncIterable<SourcePacket> {
    const { control, readTimeoutMs } = this.options;
    const timeBases = new Map(this.tracks.map((t) => [t.index, t.timeBase]));
    const pacer = this.options.realtime === true && !this.live ? new RealtimePacer() : undefined;
    let lastDataMs = performance.now();
    for (;;) {
      if (control.stopRequested() || this.closed) return;
      const ret = this.context.readFrameSync(this.packet);
      if (ret === AVERROR_EAGAIN) {
        if (performance.now() - lastDataMs >= readTimeoutMs) throw this.stalled();
        control.sleep(EAGAIN_RETRY_MS);
        continue;
      }
      if (ret < 0) {
        // Files end on EOF; a read error ends them the same way, as in DemuxSource.
        if (!this.live || control.stopRequested()) return;
        if (ret === AVERROR_ETIMEDOUT) throw this.stalled();
        const why = ret === AVERROR_EOF ? 'source ended' : `read failed: ${FFmpegError.strerror(ret)}`;
        throw new VigilError('SOURCE_FAILED', `source ${redact(this.url)}: ${why}`);
      }
      control.onRead();
      lastDataMs = performance.now();
      const out = takeSourcePacket(this.packet, timeBases);
      if (out === undefined) continue;
      if (pacer !== undefined) {
        const timeBase = timeBases.get(out.trackIndex);
        if (timeBase !== undefined) await pacer.wait(out.dts ?? out.pts, timeBase, undefined);
      }
      yield out;
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.context.closeInputSync();
      this.packet.free();
    }
    return Promise.resolve();
  }

  private stalled(): VigilError {
    return new VigilError('TIMEOUT', `source ${redact(this.url)}: no data for ${this.options.readTimeoutMs} ms`);
  }
}

function openInputSync(context: FormatContext, input: DemuxInput): void {
  const dictionary = inputDictionary(input);
  try {
    FFmpegError.throwIfError(context.openInputSync(input.input, null, dictionary), 'open input');
  } finally {
    dictionary?.free();
  }
  // Demuxers that support it return EAGAIN instead of blocking (most network
  // ones block anyway); the reader then sleeps a little, as ffmpeg does.
  context.setFlags(AVFMT_FLAG_NONBLOCK);
  FFmpegError.throwIfError(context.findStreamInfoSync(null), 'find stream info');
  fillPictureSizes(context);
}
