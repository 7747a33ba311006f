/**
 * Stream-copies local files into the archive as if recorded from `startUs`,
 * as fast as the disk allows. No wall clock: UTC = start + media time, and
 * each file continues where the previous one ended.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArchiveWriter, SegmentRecord } from '../archive/types.js';
import type { AudioHandling, Variant } from '../config/stream-types.js';
import { VigilError } from '../errors.js';
import type { AudioTranscoder, MediaEngine, SourcePacket } from '../media/types.js';
import { PacketPipeline } from './packet-pipeline.js';
import { mapTracks, type TrackPlan } from './track-map.js';

export interface ImportOptions {
  archive: ArchiveWriter;
  engine: MediaEngine;
  /** Stream name the segments are filed under. */
  stream: string;
  variant?: Variant;
  /** UTC µs the first file's first frame is placed at. */
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
      const pipeline = new PacketPipeline({
        archive: options.archive,
        stream: options.stream,
        variant: options.variant ?? 'main',
        plans: recorded,
        timing: { kind: 'fixed', startUs: cursorUs },
        fragmenter: { segmentDurationUs: options.segmentDurationUs },
        events: {
          segmentOpened: () => undefined,
          fragmentWritten: () => undefined,
          segmentClosed: (segment) => segments.push(segment),
          discontinuity: () => undefined,
        },
      });
      for await (const packet of source.packets()) {
        const transcoder = transcoders.get(packet.trackIndex);
        const packets: SourcePacket[] = transcoder === undefined ? [packet] : await transcoder.transcode(packet);
        for (const p of packets) await pipeline.push(p);
      }
      for (const [index, transcoder] of transcoders) {
        for (const p of await transcoder.flush()) await pipeline.push({ ...p, trackIndex: index });
      }
      await pipeline.finish();
      cursorUs = pipeline.endUs ?? cursorUs;
    } finally {
      for (const t of transcoders.values()) t.close();
      await source.close();
    }
  }
  return { segments, durationUs: cursorUs - options.startUs };
}
