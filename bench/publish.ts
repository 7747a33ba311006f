/**
 * Frame publisher benchmark: frames per second that `serveFrame` sustains at
 * 1280×720 RGB24 → libx264 veryfast, against piping the same raw frames into
 * Debian's `ffmpeg` CLI (`-f rawvideo -pix_fmt rgb24 -i pipe:0`) with the same
 * encoder settings, both writing a Matroska file.
 *
 *   node --import tsx bench/publish.ts        # FRAMES=500 ROUNDS=2
 *
 * Both sides get the same settings: yuv420p (the CLI would pick yuv444p for
 * RGB input otherwise), constant quality (CRF 23), GOP 50, no B-frames, no
 * scene-cut keyframes, encoder threads chosen by x264. The two FFmpeg builds
 * differ (node-av 8.1, Debian's own), so the ratio also measures the libraries.
 * The publisher side also reports the worst event-loop delay while encoding.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { paintTestFrame, StreamPublisher } from '../src/publish/index.js';

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 25;
const GOP = 50;
const DISTINCT = 50;
const frameCount = Number(process.env.FRAMES ?? 500);
const rounds = Number(process.env.ROUNDS ?? 2);
const out = join(resolve(import.meta.dirname, '..'), 'bench', '.work', 'publish');

interface Result {
  fps: number;
  bytes: number;
  maxLoopDelayMs?: number;
  p99LoopDelayMs?: number;
}

/** The same frames for both sides, made before the clock starts: two seconds of the test pattern, cycled. */
const frames = Array.from({ length: DISTINCT }, (_, i) => paintTestFrame(i, WIDTH, HEIGHT));

async function runCli(file: string): Promise<Result> {
  const started = performance.now();
  const ffmpeg = spawn(
    'ffmpeg',
    [
      ...['-nostdin', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`],
      ...['-r', String(FPS), '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
      ...['-g', String(GOP), '-bf', '0', '-x264-params', 'scenecut=0', file],
    ],
    { stdio: ['pipe', 'inherit', 'inherit'] },
  );
  const exited = once(ffmpeg, 'exit');
  for (let i = 0; i < frameCount; i++) {
    if (!ffmpeg.stdin.write(frames[i % DISTINCT]!)) await once(ffmpeg.stdin, 'drain');
  }
  ffmpeg.stdin.end();
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`ffmpeg exited with ${code}`);
  return { fps: frameCount / ((performance.now() - started) / 1000), bytes: statSync(file).size };
}

async function runPublisher(file: string): Promise<Result> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const publisher = new StreamPublisher();
  publisher.setParameter({ width: WIDTH, height: HEIGHT, frameRate: [FPS, 1], GOPSize: GOP, preset: 'veryfast' });
  const started = performance.now();
  await publisher.open(file);
  delay.enable();
  for (let i = 0; i < frameCount; i++) {
    if (!(await publisher.serveFrame(frames[i % DISTINCT]!))) throw new Error(String(publisher.lastError));
  }
  await publisher.close();
  delay.disable();
  return {
    fps: frameCount / ((performance.now() - started) / 1000),
    bytes: statSync(file).size,
    maxLoopDelayMs: delay.max / 1e6,
    p99LoopDelayMs: delay.percentile(99) / 1e6,
  };
}

function show(name: string, r: Result): string {
  const lag =
    r.maxLoopDelayMs === undefined
      ? ''
      : `, event loop delay p99 ${r.p99LoopDelayMs?.toFixed(1)} ms, max ${r.maxLoopDelayMs.toFixed(1)} ms`;
  return `${name.padEnd(10)} ${r.fps.toFixed(1).padStart(6)} frames/s, ${(r.bytes / 1e6).toFixed(2)} MB${lag}`;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
console.log(`publish bench: ${frameCount} frames ${WIDTH}x${HEIGHT} rgb24 → libx264 veryfast, ${rounds} round(s)`);
const best = { cli: 0, publisher: 0 };
for (let round = 1; round <= rounds; round++) {
  const cli = await runCli(join(out, `cli-${round}.mkv`));
  const pub = await runPublisher(join(out, `publisher-${round}.mkv`));
  console.log(`round ${round}:\n  ${show('ffmpeg CLI', cli)}\n  ${show('publisher', pub)}`);
  best.cli = Math.max(best.cli, cli.fps);
  best.publisher = Math.max(best.publisher, pub.fps);
}
console.log(
  `best: publisher ${best.publisher.toFixed(1)} frames/s, CLI ${best.cli.toFixed(1)} frames/s, ` +
    `ratio ${(best.publisher / best.cli).toFixed(2)} (goal ≥ 1)`,
);
