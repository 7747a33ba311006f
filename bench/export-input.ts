/**
 * The export benchmark's input, made once and cached in bench/.work: a 60 s
 * 1080p25 ~4 Mbit/s H.264 + AAC clip, looped by stream copy into a 1 h file,
 * imported with the real CLI in 60 s segments, and a second index that repeats
 * that hour 24 times over the same files (for the 24 h time-to-first-byte).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Archive } from '../src/archive/index.js';
import { appendFragment, insertSegment } from '../src/archive/index/segments.repo.js';
import type { SegmentRecord } from '../src/archive/types.js';
import { runVigilImport, writeImportConfig } from '../test/helpers/vigil-cli.js';

export const STREAM = 'cam';
export const FPS = 25;
const CLIP_SECONDS = 60;
const LOOPS = 60;
export const HOUR_SECONDS = CLIP_SECONDS * LOOPS;
/** In the past (a range in the future is refused), on an hour, so the 24 copies sit on whole hours. */
export const T0_SECONDS = Date.UTC(2026, 0, 5) / 1000;
const US = 1_000_000;

export interface BenchInput {
  /** The 1 h source file, the oracle for frame hashes. */
  hourFile: string;
  /** Data dir whose index holds the hour 24 times (the server runs on this one). */
  dataDir: string;
  /** Index rows of the 24 h, ordered by start; the files behind each are the 1 h import's. */
  segments: SegmentRecord[];
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function ensureClip(work: string): string {
  const file = join(work, `1080p25-4mbit-aac-${CLIP_SECONDS}s.mp4`);
  if (existsSync(file)) return file;
  console.log(`bench: encoding a ${CLIP_SECONDS} s 1080p25 ~4 Mbit/s H.264 + AAC clip once (cached in bench/.work)…`);
  const partial = `${file}.partial.mp4`;
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25,noise=alls=10:allf=t'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(CLIP_SECONDS)],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '4M', '-maxrate', '4.5M', '-bufsize', '8M'],
    ...['-g', '50', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', partial],
  ]);
  execFileSync('mv', [partial, file]);
  return file;
}

function videoStreamFacts(file: string): { frames: number; durationS: number } {
  const out = execFileSync('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=nb_frames,duration'],
    ...['-of', 'json', file],
  ]).toString();
  const s = (JSON.parse(out) as { streams: Array<{ nb_frames: string; duration: string }> }).streams[0];
  return { frames: Number(s?.nb_frames), durationS: Number(s?.duration) };
}

function ensureHour(work: string, clip: string): string {
  const file = join(work, `1080p25-4mbit-aac-${HOUR_SECONDS}s.mp4`);
  if (!existsSync(file)) {
    console.log('bench: looping the clip into a 1 h file by stream copy…');
    const partial = `${file}.partial.mp4`;
    // Video only from the loop: the clip's AAC runs ~11 ms past its video, and looping both would put
    // that as a gap into the video at every join. The tone is encoded afresh over the hour instead.
    ffmpeg([
      ...['-stream_loop', String(LOOPS - 1), '-i', clip, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-map', '0:v:0', '-map', '1:a:0', '-t', String(HOUR_SECONDS), '-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k'],
      partial,
    ]);
    execFileSync('mv', [partial, file]);
  }
  // The MP4 muxer turns a timestamp jump at a loop join into a longer sample: the
  // video track lasting exactly frames / fps proves the joins are continuous.
  const { frames, durationS } = videoStreamFacts(file);
  if (frames !== HOUR_SECONDS * FPS || Math.abs(durationS - HOUR_SECONDS) > 0.001) {
    throw new Error(
      `${file}: ${frames} frames over ${durationS} s, expected ${HOUR_SECONDS * FPS} over ${HOUR_SECONDS}`,
    );
  }
  return file;
}

/** The 1 h import, in 60 s segments, by `vigil import`. `.complete` marks an import that finished. */
async function ensureImport(work: string, hourFile: string): Promise<string> {
  const dataDir = join(work, 'data-1h');
  const marker = join(dataDir, '.complete');
  if (existsSync(marker)) return dataDir;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  console.log('bench: importing the 1 h file with `vigil import` (60 s segments)…');
  const config = writeImportConfig(join(dataDir, 'import.yaml'), dataDir, 60);
  const started = Date.now();
  await runVigilImport(config, STREAM, new Date(T0_SECONDS * 1000).toISOString(), hourFile);
  console.log(`bench: import took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  writeFileSync(marker, 'ok\n');
  return dataDir;
}

/**
 * A second data dir whose index holds the hour 24 times at consecutive hours,
 * every copy pointing at the same files: `(root, path)` is unique, so copy k
 * uses root `roots/hKK`, a link to the real archive root. The moofs are copied
 * as they are: their decode times count from their segment's start.
 */
async function ensureDayIndex(work: string, hourDataDir: string): Promise<string> {
  const dataDir = join(work, 'data-24h');
  const marker = join(dataDir, '.complete');
  if (existsSync(marker)) return dataDir;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'roots'), { recursive: true });
  console.log('bench: building a 24 h index over the same files…');
  const hour = await Archive.open({
    databasePath: join(hourDataDir, 'index.sqlite'),
    defaultRoot: join(hourDataDir, 'archive'),
  });
  const day = await Archive.open({
    databasePath: join(dataDir, 'index.sqlite'),
    defaultRoot: join(dataDir, 'archive'),
  });
  try {
    const stream = await hour.getStream(STREAM);
    if (stream !== undefined) await day.saveStream(stream);
    const segments = await hour.listAllSegments();
    const fragments = await hour.fragmentsOf(segments.map((s) => s.id));
    for (let k = 0; k < 24; k++) {
      const shiftUs = k * HOUR_SECONDS * US;
      await day.db.transaction().execute(async (trx) => {
        for (const s of segments) {
          let root = s.root;
          if (k > 0) {
            root = join(dataDir, 'roots', `h${String(k).padStart(2, '0')}`);
            if (!existsSync(root)) symlinkSync(s.root, root);
          }
          const { id: _id, ...rest } = s;
          const copy = await insertSegment(trx, {
            ...rest,
            root,
            startUs: s.startUs + shiftUs,
            endUs: s.endUs + shiftUs,
          });
          for (const f of fragments.filter((f) => f.segmentId === s.id)) {
            const { segmentId: _segmentId, ...fragment } = f;
            await appendFragment(trx, copy.id, { ...fragment, startUs: f.startUs + shiftUs, endUs: f.endUs + shiftUs });
          }
        }
      });
    }
  } finally {
    await hour.close();
    await day.close();
  }
  writeFileSync(marker, 'ok\n');
  return dataDir;
}

async function listIndexedSegments(dataDir: string): Promise<SegmentRecord[]> {
  const archive = await Archive.open({
    databasePath: join(dataDir, 'index.sqlite'),
    defaultRoot: join(dataDir, 'archive'),
  });
  try {
    return await archive.listAllSegments();
  } finally {
    await archive.close();
  }
}

export async function ensureBenchInput(work: string): Promise<BenchInput> {
  mkdirSync(work, { recursive: true });
  const clip = ensureClip(work);
  const hourFile = ensureHour(work, clip);
  const hourDataDir = await ensureImport(work, hourFile);
  const dataDir = await ensureDayIndex(work, hourDataDir);
  const segments = await listIndexedSegments(dataDir);
  const expected = 24 * HOUR_SECONDS;
  const coveredS = segments.reduce((sum, s) => sum + (s.endUs - s.startUs), 0) / US;
  if (Math.abs(coveredS - expected) > 60) throw new Error(`the 24 h index covers ${coveredS} s, expected ${expected}`);
  return { hourFile, dataDir, segments };
}
