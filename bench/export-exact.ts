/**
 * Exactness of an export, judged by Debian's ffmpeg/ffprobe against the 1 h
 * source file: duration against what was asked, the first frame shown, and
 * the frame shown near the end ("drift"), as an offset in frames from where
 * it should be.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { frameMd5, probeDurationSeconds, probeStreams } from '../test/helpers/media-check.js';

const run = promisify(execFile);

export interface Exactness {
  /** The container's duration (ffprobe's format duration) minus what was asked. */
  durationErrorMs: number;
  /** The video track's own duration minus what was asked. */
  videoDurationErrorMs: number;
  /** Frames between the first frame shown and the source's frame at `from` (0: exact); undefined: not found. */
  firstOffsetFrames: number | undefined;
  /** The same for the frame shown at `lateS`; null when the output shows no frame there. */
  lateOffsetFrames: number | null | undefined;
  /** The first frame against the segment file's own frame at `from` (its start + the file's pts). */
  firstOffsetVsArchiveFrames: number | undefined;
  /** Offset at `innerS` minus the first frame's: what the output gains or loses over its length. */
  driftFrames: number | undefined;
}

export interface ExactnessQuery {
  /** The export to judge, and the source it was cut from (whose time 0 is `from` minus `fromInSourceS`). */
  file: string;
  sourceFile: string;
  fromInSourceS: number;
  /** The source's length: a later instant is looked up modulo it (the 24 h index repeats the 1 h source). */
  sourceDurationS: number;
  askedDurationS: number;
  /** The last frame's instant when the output is as long as asked (3599.96 for one hour at 25 fps). */
  lateS: number;
  /** An instant every output of about the asked length shows, to measure drift at (e.g. 3599). */
  innerS: number;
  fps: number;
  /** How far to look either side for the frame, in frames. */
  searchFrames: number;
  /** The segment file that holds `from`, and where `from` falls in it. */
  archive: { file: string; fromInFileS: number };
}

/**
 * framemd5 of the source's frames presented in `[fromS, toS]` by frame index
 * (`round(t · fps)`). `-copyts` keeps the source's own timestamps through the
 * seek, so the index does not depend on where the seek landed.
 */
async function sourceFrameHashes(
  source: string,
  fromS: number,
  toS: number,
  fps: number,
): Promise<Map<string, number>> {
  const seekS = Math.max(0, fromS - 3);
  const { stdout } = await run(
    'ffmpeg',
    [
      // `-t` on the input: without it ffmpeg decodes on to the end of the hour after the window.
      ...['-v', 'error', '-copyts', '-ss', seekS.toFixed(3), '-t', (toS - seekS + 1).toFixed(3)],
      ...['-i', source, '-map', '0:v:0'],
      ...['-vf', `select=between(t\\,${fromS.toFixed(3)}\\,${toS.toFixed(3)})`, '-fps_mode', 'passthrough'],
      ...['-pix_fmt', 'yuv420p', '-f', 'framemd5', '-'],
    ],
    { timeout: 300_000, maxBuffer: 64 * 2 ** 20 },
  );
  let timeBase = NaN;
  const byHash = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const tb = /^#tb 0: (\d+)\/(\d+)/.exec(line);
    if (tb !== null) timeBase = Number(tb[1]) / Number(tb[2]);
    if (line.startsWith('#') || line.trim() === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    const pts = Number(fields[2]);
    const hash = fields[5];
    if (hash !== undefined && !byHash.has(hash)) byHash.set(hash, Math.round(pts * timeBase * fps));
  }
  return byHash;
}

/** framemd5 of the frame an output shows at `atS` (accurate seek: the first frame presented at or after it). */
async function shownFrameHash(file: string, atS: number): Promise<string | undefined> {
  const { stdout } = await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-ss', atS.toFixed(3), '-i', file, '-map', '0:v:0', '-frames:v', '1'],
      ...['-pix_fmt', 'yuv420p', '-f', 'framemd5', '-'],
    ],
    { timeout: 300_000 },
  );
  const frame = stdout.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#'));
  return frame?.split(',').pop()?.trim();
}

async function offsetFrames(q: ExactnessQuery, hash: string | undefined, outputS: number): Promise<number | undefined> {
  if (hash === undefined) return undefined;
  const wantedIndex = Math.round(((q.fromInSourceS + outputS) % q.sourceDurationS) * q.fps);
  const spanS = q.searchFrames / q.fps;
  const hashes = await sourceFrameHashes(
    q.sourceFile,
    Math.max(0, wantedIndex / q.fps - spanS - 0.001),
    wantedIndex / q.fps + spanS + 0.001,
    q.fps,
  );
  const index = hashes.get(hash);
  return index === undefined ? undefined : index - wantedIndex;
}

export async function judgeExactness(q: ExactnessQuery): Promise<Exactness> {
  const durationS = await probeDurationSeconds(q.file);
  const video = (await probeStreams(q.file)).find((st) => st.codec_type === 'video');
  // The helper's -copyts pick: pre-roll frames an edit list hides sit before 0.
  const first = await frameMd5(q.file, { atSeconds: 0 });
  // Half a frame early, so float rounding of the seek cannot skip the frame meant.
  const late = await shownFrameHash(q.file, q.lateS - 0.5 / q.fps);
  const inner = await shownFrameHash(q.file, q.innerS - 0.5 / q.fps);
  const firstOffsetFrames = await offsetFrames(q, first, 0);
  const innerOffset = await offsetFrames(q, inner, q.innerS);
  return {
    durationErrorMs: (durationS - q.askedDurationS) * 1000,
    videoDurationErrorMs: (Number(video?.duration) - q.askedDurationS) * 1000,
    firstOffsetFrames,
    firstOffsetVsArchiveFrames: await offsetFrames(
      { ...q, sourceFile: q.archive.file, fromInSourceS: q.archive.fromInFileS, sourceDurationS: Infinity },
      first,
      0,
    ),
    lateOffsetFrames: late === undefined ? null : await offsetFrames(q, late, q.lateS),
    driftFrames:
      firstOffsetFrames === undefined || innerOffset === undefined ? undefined : innerOffset - firstOffsetFrames,
  };
}
