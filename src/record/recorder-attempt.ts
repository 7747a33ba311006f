/**
 * The life of one connection: open the source, choose the tracks, feed the
 * packets to a PacketPipeline until the source fails, stalls or the signal
 * stops it, and close the open segment cleanly in every case. The supervisor
 * (recorder.ts) decides what happens next.
 */
import type { ArchiveWriter } from '../archive/types.js';
import type { AudioHandling, RtspTransport, Variant } from '../config/stream-types.js';
import { VigilError } from '../errors.js';
import type { AudioTranscoder, MediaEngine, SourcePacket } from '../media/types.js';
import type { FragmenterOptions } from './fragmenter.js';
import { PacketPipeline, type PipelineEvents } from './packet-pipeline.js';
import { mapTracks, type TrackPlan } from './track-map.js';

export interface AttemptOptions {
  /** Only these two are used: a worker thread passes its own blocking reader. */
  engine: Pick<MediaEngine, 'openSource' | 'createAacTranscoder'>;
  archive: ArchiveWriter;
  stream: string;
  variant: Variant;
  url: string;
  audio: AudioHandling;
  rtspTransport: RtspTransport;
  openTimeoutMs: number;
  /** No packet for this long is a failure. */
  stallTimeoutMs: number;
  fragmenter?: FragmenterOptions;
  now: () => number;
  signal: AbortSignal;
  warn: (message: string) => void;
  events: PipelineEvents & { connected(): void };
}

/** Resolves when stopped through `signal`; rejects with the reason the source failed. */
export async function runRecorderAttempt(options: AttemptOptions): Promise<void> {
  const { engine, signal } = options;
  let source;
  try {
    source = await engine.openSource(options.url, {
      rtspTransport: options.rtspTransport,
      openTimeoutMs: options.openTimeoutMs,
      readTimeoutMs: options.stallTimeoutMs,
      // A file is recorded like a camera: at its own pace, not as fast as it can be read.
      realtime: true,
      signal,
    });
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  const transcoders = new Map<number, AudioTranscoder>();
  let pipeline: PacketPipeline | undefined;
  try {
    const { plans, skipped } = mapTracks(source.tracks, options.audio);
    for (const reason of skipped) options.warn(`${options.stream}/${options.variant}: ${reason}`);
    if (plans.length === 0) {
      throw new VigilError('SOURCE_UNSUPPORTED', `source has no track Vigil can record (${skipped.join('; ')})`);
    }
    const recorded: TrackPlan[] = [];
    for (const plan of plans) {
      if (plan.kind === 'audio' && plan.transcode) {
        const transcoder = await engine.createAacTranscoder(plan.source);
        transcoders.set(plan.source.index, transcoder);
        recorded.push({ ...plan, source: transcoder.outputTrack });
      } else {
        recorded.push(plan);
      }
    }
    pipeline = new PacketPipeline({
      archive: options.archive,
      stream: options.stream,
      variant: options.variant,
      plans: recorded,
      timing: { kind: 'wall', now: options.now },
      fragmenter: options.fragmenter,
      events: options.events,
    });
    options.events.connected();
    for await (const packet of source.packets()) {
      const transcoder = transcoders.get(packet.trackIndex);
      let packets: SourcePacket[] = [packet];
      if (transcoder !== undefined) {
        packets = await transcoder.transcode(packet);
        // The transcoder copied the payload in.
        packet.release?.();
      }
      for (const p of packets) await pipeline.push(p);
    }
    if (!signal.aborted) throw new VigilError('SOURCE_FAILED', 'source ended');
  } catch (err) {
    // Whatever a stop interrupted (a read, a timeout) is not a failure of the source.
    if (signal.aborted) return;
    throw err;
  } finally {
    try {
      await pipeline?.finish();
    } finally {
      for (const t of transcoders.values()) t.close();
      await source.close();
    }
  }
}
