/**
 * The transcode side of an export job: the planned fMP4 of the range is piped
 * into the transcoder's child process, which writes the job's `.part` file;
 * complete, it gets its final name. Wall-clock pieces of the plan drive the
 * timestamp watermark, so the time drawn is the time recorded, across gaps.
 */
import { stat, unlink } from 'node:fs/promises';
import type { Flip as StreamFlip } from '../../config/stream-types.js';
import type { ExportJobSpec } from '../request/index.js';
import { runTranscode, type Flip, type TranscodeOptions } from '../transcode/index.js';
import { eventFiguresFor, type EventMetadata } from '../events/index.js';
import { chaptersFor } from '../export-metadata.js';
import type { PlannedExport } from '../types.js';
import { copiesVideo, type JobStream, type TranscodeJob } from './run-export-job.js';
import { partialPathFor, publishPartial } from './write-export-file.js';

const FLIPS: Record<StreamFlip, Flip> = { none: 'none', horizontal: 'h', vertical: 'v', both: 'both' };

export const transcodeExportJob: TranscodeJob = async (spec, planned, stream, context) => {
  const partial = partialPathFor(spec.filePath);
  const durationS = planned.selection.durationUs / 1e6;
  context.progress('encoding', 0);
  try {
    await runTranscode({
      input: { bytes: planned.file.read(0, planned.file.sizeBytes, context.signal), durationS },
      outputPath: partial,
      options: transcodeOptionsFor(spec, planned, stream),
      signal: context.signal,
      onProgress: (p) => context.progress(p.step, (99 * p.doneS) / Math.max(p.totalS, 1e-3)),
    });
    context.progress('finalizing', 99);
    await publishPartial(partial, spec.filePath);
  } finally {
    await unlink(partial).catch(() => undefined);
  }
  return { filePath: spec.filePath, bytes: (await stat(spec.filePath)).size };
};

/**
 * The transcoder's options for a job. Chapters (one per recorded piece and per event, as a
 * stream copy has them) and figures are on the planned file's timeline, which is the transcode's
 * input timeline; the transcoder divides them by a timelapse factor.
 */
export function transcodeOptionsFor(
  spec: ExportJobSpec,
  planned: PlannedExport & EventMetadata,
  stream: JobStream,
): TranscodeOptions {
  const t = spec.transcode;
  const events = planned.events ?? [];
  // Without video options a job comes here only for another container or converted audio.
  const options: TranscodeOptions = {
    videoCodec: t?.videoCodec ?? (copiesVideo(spec) ? 'copy' : 'h264'),
    audio: {
      mode: spec.audio.mode,
      ...(spec.audio.bitrateKbps !== undefined && { bitrateKbps: spec.audio.bitrateKbps }),
    },
    container: spec.container,
    chapters: chaptersFor(planned.selection, { title: stream.title, timeZone: spec.timeZone, events }),
  };
  if (t === null) return options;
  if (t.videoBitrateKbps !== undefined) options.videoBitrateKbps = t.videoBitrateKbps;
  if (t.resolution !== undefined) {
    options.width = t.resolution.width;
    options.height = t.resolution.height;
  }
  if (t.flipRotate) {
    options.flip = FLIPS[stream.flip];
    options.rotate = stream.rotate;
  }
  if (t.channelNameWatermark) options.channelNameWatermark = stream.title;
  if (t.timestampWatermark) {
    options.timestampWatermark = {
      timeZone: spec.timeZone,
      pieces: planned.selection.pieces.map((p) => ({
        outputStartS: p.outputStartUs / 1e6,
        utcStartMs: p.fromUs / 1e3,
      })),
    };
  }
  if (t.figures) options.figures = eventFiguresFor(planned.selection, events);
  options.watermarkAlign = t.watermarkAlign;
  if (t.timelapseFactor !== undefined) options.timelapse = t.timelapseFactor;
  if (t.customArgs.length > 0) options.customArgs = t.customArgs;
  return options;
}
