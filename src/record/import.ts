/**
 * Stream-copies local files into the archive as if recorded from `startUs`,
 * as fast as the disk allows. No wall clock: UTC = start + media time, and
 * each file continues where the previous one ended.
 *
 * `startUs` is when the first frame is shown. The archive's times are decode
 * times (a segment's start is its first decode time), and with B-frames a
 * file's first frame is shown a frame or two after its first decode time, so
 * each file is placed that much earlier: its frames keep their source times
 * against `startUs`, and the next file starts where this one's last shown frame ends.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArchiveWriter, SegmentRecord } from '../archive/types.js';
import type { AudioHandling, Variant } from '../config/stream-types.js';
import { VigilError } from '../errors.js';
import type { AudioTranscoder, MediaEngine, SourcePacket, SourceTrack } from '../media/types.js';
import { PacketPipeline } from './packet-pipeline.js';
import { mapTracks, type TrackPlan } from './track-map.js';

export interface ImportOptions {
  archive: ArchiveWriter;
  engine: MediaEngine;
  /** Stream name the segments are filed under. */
  stream: string;
  variant?: Variant;
  /** UTC µs the first file's first frame is shown at. */
  startUs: number;
  files: string[];
  segmentDurationUs?: number;
  audio?: AudioHandling;
  warn?: (message: string) => void;
}

export interface ImportResult {
  segments: SegmentRecord[];
  durationUs: number;
}

export async function importFiles(options: ImportOptions): Promise<ImportResult> {
  const segments: SegmentRecord[] = [];
  let cursorUs = options.startUs;
  for (const file of options.files) {
    const source = await options.engine.openSource(pathToFileURL(resolve(file)).href, {
      openTimeoutMs: 30_000,
      readTimeoutMs: 30_000,
      realtime: false,
    });
    const transcoders = new Map<number, AudioTranscoder>();
    try {
      const { plans, skipped } = mapTracks(source.tracks, options.audio ?? 'transcode');
      for (const reason of skipped) options.warn?.(`import ${file}: ${reason}`);
      if (plans.length === 0) throw new VigilError('MEDIA_INVALID', `import ${file}: no track Vigil can record`);
      const recorded: TrackPlan[] = [];
      for (const plan of plans) {
        if (plan.kind === 'audio' && plan.transcode) {
          const transcoder = await options.engine.createAacTranscoder(plan.source);
          transcoders.set(plan.source.index, transcoder);
          recorded.push({ ...plan, source: transcoder.outputTrack });
        } else {
          recorded.push(plan);
        }
      }
      const timingTrack = (recorded.find((p) => p.kind === 'video') ?? recorded[0]!).source;
      const { leadUs, packets: sourcePackets } = await readToFirstKeyframe(source.packets(), timingTrack);
      const pipeline = new PacketPipeline({
        archive: options.archive,
        stream: options.stream,
        variant: options.variant ?? 'main',
        plans: recorded,
        timing: { kind: 'fixed', startUs: cursorUs - leadUs },
        fragmenter: { segmentDurationUs: options.segmentDurationUs },
        events: {
          segmentOpened: () => undefined,
          fragmentWritten: () => undefined,
          segmentClosed: (segment) => segments.push(segment),
          discontinuity: () => undefined,
        },
      });
      for await (const packet of sourcePackets) {
        const transcoder = transcoders.get(packet.trackIndex);
        const packets: SourcePacket[] = transcoder === undefined ? [packet] : await transcoder.transcode(packet);
        for (const p of packets) await pipeline.push(p);
      }
      for (const [index, transcoder] of transcoders) {
        for (const p of await transcoder.flush()) await pipeline.push({ ...p, trackIndex: index });
      }
      await pipeline.finish();
      // endUs is where the last decode time ends; the last shown frame ends `leadUs` later.
      const endUs = pipeline.endUs;
      cursorUs = endUs === undefined ? cursorUs : endUs + leadUs;
    } finally {
      for (const t of transcoders.values()) t.close();
      await source.close();
    }
  }
  return { segments, durationUs: cursorUs - options.startUs };
}

/** Packets read ahead while looking for the timing track's first keyframe; past this, no lead is known. */
const MAX_PACKETS_AHEAD = 1024;

/**
 * Reads the source up to the timing track's first keyframe (where the pipeline starts) to learn how
 * long after its decode time that frame is shown. Returns that lead with the source's packets from
 * the first one, those read ahead included.
 */
async function readToFirstKeyframe(
  source: AsyncIterable<SourcePacket>,
  timing: SourceTrack,
): Promise<{ leadUs: number; packets: AsyncIterable<SourcePacket> }> {
  const it = source[Symbol.asyncIterator]();
  const ahead: SourcePacket[] = [];
  let leadUs = 0;
  while (ahead.length < MAX_PACKETS_AHEAD) {
    const next = await it.next();
    if (next.done === true) break;
    ahead.push(next.value);
    if (next.value.trackIndex === timing.index && next.value.isKeyframe) {
      leadUs = showLeadUs(next.value, timing);
      break;
    }
  }
  async function* packets(): AsyncGenerator<SourcePacket> {
    yield* ahead.splice(0);
    for (;;) {
      const next = await it.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { leadUs, packets: packets() };
}

/** How long after its decode time a packet is shown, in whole µs (0 without both timestamps). */
function showLeadUs(packet: SourcePacket, track: SourceTrack): number {
  if (packet.pts === undefined || packet.dts === undefined) return 0;
  const { num, den } = track.timeBase;
  return Math.max(0, Math.round(((packet.pts - packet.dts) * num * 1_000_000) / den));
}
