/**
 * What an export job does, given its normalized spec: plan the range from the
 * index, then either write the planned stream copy straight to disk (MP4 and
 * MPEG-TS with the audio as recorded: disk speed, no engine) or hand the
 * planned fragmented MP4 to the transcoder (a re-encode, another container,
 * or converted audio). The plan reads the range's events when the job runs,
 * so a copy's chapters and a transcode's chapters and figures show every
 * event recorded by then.
 */
import { planExport, type ExportSource, type PlannedExportWithEvents } from '../plan-export.js';
import type { ExportJobSpec } from '../request/index.js';
import type { ExportJob, ExportRunner, RunContext, RunResult } from '../queue/index.js';
import type { Flip, Rotate } from '../../config/stream-types.js';
import { writeExportFile } from './write-export-file.js';

/** What a job needs to know about its stream: the title (metadata, watermark) and its picture settings. */
export interface JobStream {
  title: string;
  flip: Flip;
  rotate: Rotate;
}

/** Re-encodes a planned fMP4 into the spec's file (transcode-job.ts). */
export type TranscodeJob = (
  spec: ExportJobSpec,
  planned: PlannedExportWithEvents,
  stream: JobStream,
  context: RunContext,
) => Promise<RunResult>;

export interface ExportRunnerDeps {
  source: ExportSource;
  streamOf(name: string): JobStream;
  transcode: TranscodeJob;
  /** Moves a finished file to where every node can serve it (remote-export-files.ts); absent: it stays local. */
  publish?: (jobId: string, result: RunResult, signal: AbortSignal) => Promise<RunResult>;
}

/** The copy/transcode split the queue's concurrency limits use. */
/** The concurrency class: only re-encoding the picture is CPU-bound; a remux costs what a copy costs. */
export function jobKindOf(spec: ExportJobSpec): 'copy' | 'transcode' {
  return copiesVideo(spec) ? 'copy' : 'transcode';
}

/**
 * Whether the output's video is the recorded video, untouched: no video option was asked, and
 * the container is not AVI, which needs constant-rate frames (so its video is re-encoded).
 */
export function copiesVideo(spec: ExportJobSpec): boolean {
  return spec.transcode === null && spec.container !== 'avi';
}

/** A stream copy the virtual-file builders write themselves: MP4 or MPEG-TS, audio as recorded. */
export function isPlainCopy(spec: ExportJobSpec): boolean {
  return spec.transcode === null && spec.audio.mode === 'copy' && (spec.container === 'mp4' || spec.container === 'ts');
}

export function createExportRunner(deps: ExportRunnerDeps): ExportRunner<ExportJobSpec> {
  return { run: (job, context) => runExportJob(job, deps, context) };
}

async function runExportJob(
  job: ExportJob<ExportJobSpec>,
  deps: ExportRunnerDeps,
  context: RunContext,
): Promise<RunResult> {
  const { spec } = job;
  context.progress('preparing', 0);
  const stream = deps.streamOf(spec.stream);
  const copy = isPlainCopy(spec);
  const container = copy ? (spec.container as 'mp4' | 'ts') : 'fmp4';
  const planned = await planExport(
    deps.source,
    { stream: spec.stream, variant: spec.variant, fromUs: spec.fromUs, toUs: spec.toUs, gaps: 'collapse' },
    container,
    { title: stream.title, timeZone: spec.timeZone },
  );
  context.signal.throwIfAborted();
  const result = copy ? await writeCopy(spec, planned, context) : await deps.transcode(spec, planned, stream, context);
  return deps.publish === undefined ? result : deps.publish(job.id, result, context.signal);
}

async function writeCopy(
  spec: ExportJobSpec,
  planned: PlannedExportWithEvents,
  context: RunContext,
): Promise<RunResult> {
  // Bytes stand in for recorded seconds: a stream copy's payload is proportional to the time it covers.
  const { bytes } = await writeExportFile(planned.file, spec.filePath, context.signal, (p) =>
    context.progress('copying', (99 * p.bytesDone) / Math.max(1, p.bytesTotal)),
  );
  context.progress('finalizing', 99);
  return { filePath: spec.filePath, bytes };
}
