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
import type { PlannedExport } from '../types.js';
import type { JobStream, TranscodeJob } from './run-export-job.js';
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

export function transcodeOptionsFor(spec: ExportJobSpec, planned: PlannedExport, stream: JobStream): TranscodeOptions {
  const t = spec.transcode;
  // Without video options a job comes here only for another container or converted audio. The
  // transcoder cannot copy video yet, so the picture is re-encoded at the source's size and bitrate.
  const options: TranscodeOptions = {
    videoCodec: t?.videoCodec ?? 'h264',
    audio: {
      mode: spec.audio.mode,
      ...(spec.audio.bitrateKbps !== undefined && { bitrateKbps: spec.audio.bitrateKbps }),
    },
    container: spec.container,
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
  options.watermarkAlign = t.watermarkAlign;
  if (t.timelapseFactor !== undefined) options.timelapse = t.timelapseFactor;
  return options;
}
