/** Independent checks of media files with Debian's ffprobe/ffmpeg. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Codec names of a file's streams, in order (from ffprobe's JSON: its CSV lists a TS's streams twice). */
export async function probeCodecs(path: string): Promise<string[]> {
  return (await probeStreams(path)).map((s) => s.codec_name);
}

/** Duration of a file in seconds, as ffprobe reads it. */
export async function probeDurationSeconds(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], {
    timeout: 30_000,
  });
  return Number(stdout.trim());
}

/** What ffmpeg says while decoding the whole file; empty when it decodes cleanly. */
export async function decodeErrors(path: string): Promise<string> {
  const { stdout, stderr } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { timeout: 60_000 });
  return (stdout + stderr).trim();
}

export interface TestClipOptions {
  seconds: number;
  /** `WxH`, default 320x240. */
  size?: string;
  fps?: number;
  /** Frames between keyframes, default one per second. */
  gop?: number;
  videoCodec?: 'libx264' | 'libx265';
  /** AAC at this rate, or no audio track when null. Default 48000. */
  audioRate?: number | null;
  /** Extra output options before the file name (e.g. fragmented-MP4 movflags). */
  outputArgs?: string[];
}

/**
 * A clip made by Debian's ffmpeg (the independent encoder): testsrc2 (a moving
 * picture with a frame counter) and a 440 Hz tone, so every frame decodes differently.
 */
export async function makeTestClip(path: string, options: TestClipOptions): Promise<void> {
  const { seconds, size = '320x240', fps = 25, videoCodec = 'libx264', audioRate = 48_000 } = options;
  const gop = options.gop ?? fps;
  const audioIn = audioRate === null ? [] : ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${audioRate}`];
  const audioOut = audioRate === null ? [] : ['-c:a', 'aac'];
  await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}`, ...audioIn],
      ...['-t', String(seconds), '-c:v', videoCodec, '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      ...['-g', String(gop), ...(videoCodec === 'libx265' ? ['-x265-params', 'log-level=error'] : [])],
      ...audioOut,
      ...(options.outputArgs ?? []),
      path,
    ],
    { timeout: 120_000 },
  );
}

/** ffprobe's streams of a file (ffprobe's JSON, one entry per stream). */
export async function probeStreams(path: string): Promise<
  Array<{
    codec_type: string;
    codec_name: string;
    start_time?: string;
    duration?: string;
    nb_frames?: string;
    width?: number;
    height?: number;
  }>
> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', path], { timeout: 30_000 });
  return (JSON.parse(stdout) as { streams: Awaited<ReturnType<typeof probeStreams>> }).streams;
}

/**
 * MD5 of one decoded video frame as yuv420p: the first frame presented at or
 * after `atSeconds` on the file's own timeline (`-copyts`: pre-roll frames an
 * edit list hides sit before 0), or frame number `index`.
 */
export async function frameMd5(path: string, pick: { atSeconds: number } | { index: number }): Promise<string> {
  const select = 'index' in pick ? `select=eq(n\\,${pick.index})` : `select=gte(t\\,${pick.atSeconds})`;
  const { stdout } = await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-copyts', '-i', path, '-map', '0:v:0', '-vf', select],
      ...['-frames:v', '1', '-pix_fmt', 'yuv420p', '-f', 'framemd5', '-'],
    ],
    { timeout: 60_000 },
  );
  const hash = stdout.trim().split('\n').pop()?.split(',').pop()?.trim();
  if (hash === undefined || hash === '' || hash.startsWith('#')) throw new Error(`no frame decoded from ${path}`);
  return hash;
}

/** Size and MD5 of every video packet as ffmpeg remuxes it (timestamps left out: time bases differ by container). */
export async function videoPacketHashes(path: string): Promise<string[]> {
  const { stdout } = await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    path,
    '-map',
    '0:v',
    '-c',
    'copy',
    '-f',
    'framemd5',
    '-',
  ]);
  return stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(',').slice(-2).join(',').trim());
}

/** The first video stream of a file and its frames' key/picture types, as ffprobe reads them. */
export interface ProbedVideoFrames {
  streams: Array<{ codec_name: string; width: number; height: number; r_frame_rate: string }>;
  frames: Array<{ key_frame: number; pict_type: string }>;
}

export async function probeVideoFrames(path: string): Promise<ProbedVideoFrames> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_frames'],
    ...['-show_entries', 'stream=codec_name,width,height,r_frame_rate:frame=key_frame,pict_type', '-of', 'json', path],
  ]);
  return JSON.parse(stdout) as ProbedVideoFrames;
}

/** What the publisher tests send: 250 frames at 25 fps scaled to 320×180 H.264, a keyframe every 25, B-frames. */
export function assertPublishedTestClip(probed: ProbedVideoFrames): void {
  const stream = probed.streams[0]!;
  assert.deepEqual(
    [stream.codec_name, stream.width, stream.height, stream.r_frame_rate, probed.frames.length],
    ['h264', 320, 180, '25/1', 250],
  );
  const keyframes = probed.frames.flatMap((f, i) => (f.key_frame === 1 ? [i] : []));
  assert.deepEqual(keyframes, [0, 25, 50, 75, 100, 125, 150, 175, 200, 225]);
  assert.ok(
    probed.frames.some((f) => f.pict_type === 'B'),
    'B-frames with maxBframe 2',
  );
}
