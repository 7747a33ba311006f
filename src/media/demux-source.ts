/**
 * A MediaSource over node-av's Demuxer: network sources and files. A read
 * that brings nothing for `readTimeoutMs` fails with TIMEOUT; a live source
 * that ends fails with SOURCE_FAILED (FFmpeg reports a dropped connection as
 * end of stream, and a camera never ends on purpose).
 */
import './polyfills.js';
import { Demuxer } from 'node-av/api';
import type { Packet } from 'node-av/lib';
import { VigilError } from '../errors.js';
import { packetToSourcePacket, streamToTrack } from './packet-convert.js';
import { RealtimePacer } from './pacer.js';
import type { DemuxInput } from './source-url.js';
import type { MediaSource, OpenSourceOptions, SourcePacket, SourceTrack } from './types.js';
import { canceledError, withTimeout } from './wait.js';

export async function openDemuxSource(
  url: string,
  input: DemuxInput,
  options: OpenSourceOptions,
): Promise<MediaSource> {
  const opening = Demuxer.open(input.input, { options: input.options });
  let demuxer: Demuxer;
  try {
    demuxer = await withTimeout(
      opening,
      options.openTimeoutMs,
      options.signal,
      () => new VigilError('TIMEOUT', `source ${redact(url)}: not open after ${options.openTimeoutMs} ms`),
    );
  } catch (err) {
    // The open keeps running in FFmpeg; close whatever it eventually opens.
    opening.then((late) => late.close()).catch(() => undefined);
    if (err instanceof VigilError) throw err;
    throw new VigilError('SOURCE_FAILED', `source ${redact(url)}: could not open: ${messageOf(err)}`, { cause: err });
  }
  const tracks = demuxer.streams.map(streamToTrack).filter((t): t is SourceTrack => t !== undefined);
  return new DemuxSource(url, demuxer, tracks, input.live, options);
}

class DemuxSource implements MediaSource {
  private closed = false;

  constructor(
    readonly url: string,
    private readonly demuxer: Demuxer,
    readonly tracks: SourceTrack[],
    private readonly live: boolean,
    private readonly options: OpenSourceOptions,
  ) {}

  async *packets(): AsyncIterable<SourcePacket> {
    const { signal, readTimeoutMs } = this.options;
    const pacer = this.options.realtime === true && !this.live ? new RealtimePacer() : undefined;
    const timeBases = new Map(this.tracks.map((t) => [t.index, t.timeBase]));
    const iterator = this.demuxer.packets()[Symbol.asyncIterator]();
    const onAbort = (): void => this.demuxer.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        let result: IteratorResult<Packet | null>;
        try {
          result = await withTimeout(iterator.next(), readTimeoutMs, signal, () => {
            this.demuxer.interrupt();
            return new VigilError('TIMEOUT', `source ${redact(this.url)}: no data for ${readTimeoutMs} ms`);
          });
        } catch (err) {
          if (err instanceof VigilError) throw err;
          throw new VigilError('SOURCE_FAILED', `source ${redact(this.url)}: read failed: ${messageOf(err)}`, {
            cause: err,
          });
        }
        if (signal?.aborted === true) throw canceledError();
        const packet = result.done === true ? null : result.value;
        if (packet === null) {
          if (this.closed) return;
          if (this.live) throw new VigilError('SOURCE_FAILED', `source ${redact(this.url)}: source ended`);
          return;
        }
        let out: SourcePacket | undefined;
        try {
          const timeBase = timeBases.get(packet.streamIndex);
          if (timeBase === undefined) continue;
          out = packetToSourcePacket(packet);
        } finally {
          packet.free();
        }
        if (out === undefined) continue;
        if (pacer !== undefined) {
          const timeBase = timeBases.get(out.trackIndex);
          if (timeBase !== undefined) await pacer.wait(out.dts ?? out.pts, timeBase, signal);
        }
        yield out;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Ends the demuxer's generator so its read thread stops.
      void iterator.return?.(null).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.demuxer.interrupt();
    await this.demuxer.close();
  }
}

/** Source URLs may carry credentials; never put them in messages. */
export function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
