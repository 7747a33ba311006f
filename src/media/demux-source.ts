/**
 * A MediaSource over node-av's low-level FormatContext: network sources and
 * files. A read that brings nothing for `readTimeoutMs` fails with TIMEOUT; a
 * live source that ends fails with SOURCE_FAILED (FFmpeg reports a dropped
 * connection as end of stream, and a camera never ends on purpose).
 *
 * Why not node-av's `Demuxer.packets()`: it clones every packet into a queue,
 * predicts dts and rescales timestamps per packet, which cost the recorder
 * about 4× ffmpeg's CPU. Here `av_read_frame` fills one reused Packet and the
 * payload is copied out once into a Buffer the recorder then owns.
 */
import './polyfills.js';
import { AVERROR_EAGAIN, AVERROR_EOF, AVFMT_FLAG_NONBLOCK, AVMEDIA_TYPE_VIDEO } from 'node-av/constants';
import { Dictionary, FFmpegError, FormatContext, Packet } from 'node-av/lib';
import { VigilError, messageOf } from '../errors.js';
import { packetToSourcePacket, streamToTrack } from './packet-convert.js';
import { RealtimePacer } from './pacer.js';
import type { DemuxInput } from './source-url.js';
import type { MediaSource, OpenSourceOptions, SourcePacket, SourceTrack } from './types.js';
import { canceledError, sleep, StallWatchdog, withTimeout } from './wait.js';

/** How long `close()` waits for an interrupted read before leaving the context to close itself later. */
const CLOSE_WAIT_MS = 5_000;
/** FFmpeg's own back-off for EAGAIN (ffmpeg_demux.c sleeps 10 ms). */
const EAGAIN_RETRY_MS = 10;

export async function openDemuxSource(
  url: string,
  input: DemuxInput,
  options: OpenSourceOptions,
): Promise<MediaSource> {
  const context = new FormatContext();
  const opening = openInput(context, input);
  try {
    await withTimeout(opening, options.openTimeoutMs, options.signal, () => {
      context.interrupt();
      return new VigilError('TIMEOUT', `source ${redact(url)}: not open after ${options.openTimeoutMs} ms`);
    });
  } catch (err) {
    // A timed-out or canceled open keeps running in FFmpeg until the interrupt
    // lands; the context is closed once it has settled, never under it.
    context.interrupt();
    void opening
      .catch(() => undefined)
      .then(() => context.closeInput())
      .catch(() => undefined);
    if (err instanceof VigilError) throw err;
    throw new VigilError('SOURCE_FAILED', `source ${redact(url)}: could not open: ${messageOf(err)}`, { cause: err });
  }
  const tracks = context.streams.map(streamToTrack).filter((t): t is SourceTrack => t !== undefined);
  return new DemuxSource(url, context, tracks, input.live, options);
}

async function openInput(context: FormatContext, input: DemuxInput): Promise<void> {
  const dictionary = inputDictionary(input);
  try {
    FFmpegError.throwIfError(await context.openInput(input.input, null, dictionary), 'open input');
  } finally {
    dictionary?.free();
  }
  // As node-av's Demuxer and the ffmpeg CLI do: a demuxer that supports it
  // returns EAGAIN instead of holding a thread-pool thread while it waits.
  context.setFlags(AVFMT_FLAG_NONBLOCK);
  FFmpegError.throwIfError(await context.findStreamInfo(null), 'find stream info');
  fillPictureSizes(context);
}

/** `input.options` as an FFmpeg dictionary for opening the input (the caller frees it), or null when there are none. */
export function inputDictionary(input: DemuxInput): Dictionary | null {
  return Object.keys(input.options).length > 0 ? Dictionary.fromObject(input.options) : null;
}

/** After stream info: a video stream still without a picture size takes it from its extradata (the SPS). */
export function fillPictureSizes(context: FormatContext): void {
  for (const stream of context.streams) {
    const par = stream.codecpar;
    if (par.codecType !== AVMEDIA_TYPE_VIDEO || par.extradataSize === 0) continue;
    if (par.width === 0 || par.height === 0) par.parseExtradata();
  }
}

/** The packet just read as a SourcePacket (undefined when its stream is not a track), leaving `packet` unreferenced. */
export function takeSourcePacket(packet: Packet, tracks: ReadonlyMap<number, unknown>): SourcePacket | undefined {
  try {
    return tracks.has(packet.streamIndex) ? packetToSourcePacket(packet) : undefined;
  } finally {
    packet.unref();
  }
}

class DemuxSource implements MediaSource {
  private closed = false;
  private readonly packet = new Packet();
  /** The read in flight, so that close() never frees the context under it. */
  private reading: Promise<number> | undefined;

  constructor(
    readonly url: string,
    private readonly context: FormatContext,
    readonly tracks: SourceTrack[],
    private readonly live: boolean,
    private readonly options: OpenSourceOptions,
  ) {
    this.packet.alloc();
  }

  async *packets(): AsyncIterable<SourcePacket> {
    const { signal, readTimeoutMs } = this.options;
    const pacer = this.options.realtime === true && !this.live ? new RealtimePacer() : undefined;
    const timeBases = new Map(this.tracks.map((t) => [t.index, t.timeBase]));
    const onAbort = (): void => this.context.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    const watchdog = new StallWatchdog(readTimeoutMs, signal, () => {
      this.context.interrupt();
      return new VigilError('TIMEOUT', `source ${redact(this.url)}: no data for ${readTimeoutMs} ms`);
    });
    try {
      for (;;) {
        if (this.closed) return;
        let ret: number;
        try {
          ret = await watchdog.wait(this.read());
        } catch (err) {
          if (err instanceof VigilError) throw err;
          throw new VigilError('SOURCE_FAILED', `source ${redact(this.url)}: read failed: ${messageOf(err)}`, {
            cause: err,
          });
        }
        if (signal?.aborted === true) throw canceledError();
        if (this.closed) return;
        if (ret < 0) {
          // Files end on EOF; anything else (a read error) ended the high-level
          // iterator the same way, and still does.
          if (!this.live) return;
          const why = ret === AVERROR_EOF ? 'source ended' : `read failed: ${FFmpegError.strerror(ret)}`;
          throw new VigilError('SOURCE_FAILED', `source ${redact(this.url)}: ${why}`);
        }
        const out = takeSourcePacket(this.packet, timeBases);
        if (out === undefined) continue;
        if (pacer !== undefined) {
          const timeBase = timeBases.get(out.trackIndex);
          if (timeBase !== undefined) await pacer.wait(out.dts ?? out.pts, timeBase, signal);
        }
        yield out;
      }
    } finally {
      watchdog.dispose();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private read(): Promise<number> {
    const reading = this.readSkippingEagain();
    this.reading = reading;
    return reading;
  }

  private async readSkippingEagain(): Promise<number> {
    for (;;) {
      const ret = await this.context.readFrame(this.packet);
      if (ret !== AVERROR_EAGAIN || this.closed) return ret;
      await sleep(EAGAIN_RETRY_MS, undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.context.interrupt();
    const reading = this.reading?.catch(() => -1);
    if (reading !== undefined) {
      if (!(await settlesWithin(reading, CLOSE_WAIT_MS))) {
        // A read that ignores the interrupt: freeing now could crash the
        // process, so the context is released whenever that read returns.
        void reading.then(() => this.release());
        return;
      }
    }
    await this.release();
  }

  private async release(): Promise<void> {
    await this.context.closeInput();
    this.packet.free();
  }
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Source URLs may carry credentials; never put them in messages. */
export function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}
