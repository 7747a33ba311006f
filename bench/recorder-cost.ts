/**
 * Recorder cost: CPU seconds and RSS per recorded stream, Vigil against the way
 * most NVRs record (one `ffmpeg -c copy -f segment` process per stream).
 *
 * Both record the same pre-encoded 1080p ~4 Mbit/s H.264 served over RTSP by
 * GStreamer (so no camera encoder is measured), with 1, 4 and 16 streams at
 * once. Each case runs alone (the machine has 2 cores), after a warm-up.
 *
 *   npm run bench:recorder            # STREAMS=1,4,16 WARMUP_S=300 MEASURE_S=120
 *
 * More options (environment): SYSTEMS=vigil,vigil-native,ffmpeg (which recorders
 * to run; `vigil-native` records with Vigil's own RTSP client, src/media/rtsp/,
 * instead of FFmpeg's: see runVigilNative),
 * CPU_PROF=DIR (run Vigil under `node --cpu-prof`, profiles written to DIR),
 * VIGIL_ENTRY=build|src|dist (`build`, the default, compiles the tree as it is
 * into bench/.work/dist and runs that, as `npx vigil serve` runs the build
 * that `npm ci` makes; `src` runs the TypeScript sources through tsx, which
 * adds tsx's loader thread and source maps; `dist` runs an existing dist/).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../test/helpers/free-port.js';
import { startRtspCamera } from '../test/helpers/rtsp-camera.js';

const root = resolve(import.meta.dirname, '..');
const work = join(root, 'bench', '.work');
const streamCounts = (process.env.STREAMS ?? '1,4,16').split(',').map(Number);
// Five minutes: the figures are for a recorder that runs for days. V8 optimizes a function only after
// enough calls, and a lone stream calls its per-fragment and per-segment code rarely (a fragment every
// 2 s), so its cost keeps falling for about five minutes (0.5 → 0.33 CPU s/min, measured in 2-minute
// windows over 18 minutes; ffmpeg is flat from the start). Several streams share the code and get
// there sooner. Two minutes measured, because one stream-minute is only ~35 clock ticks.
const warmupS = Number(process.env.WARMUP_S ?? 300);
const measureS = Number(process.env.MEASURE_S ?? 120);
const CLIP_SECONDS = 120;
const inputSeconds = warmupS + measureS + 30;
const systems = new Set((process.env.SYSTEMS ?? 'vigil,ffmpeg').split(','));
const cpuProfDir = process.env.CPU_PROF;
const vigilEntry =
  process.env.VIGIL_ENTRY === 'dist' || process.env.VIGIL_ENTRY === 'src' ? process.env.VIGIL_ENTRY : 'build';
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface Sample {
  cpuSeconds: number;
  rssBytes: number;
}

interface CaseResult {
  system: 'vigil' | 'vigil-native' | 'ffmpeg';
  streams: number;
  cpuSecondsPerStreamMinute: number;
  peakRssMb: number;
  recordedMbitPerStream: number;
}

function ensureInput(): string {
  const file = join(work, `1080p25-4mbit-${inputSeconds}s.mp4`);
  if (existsSync(file)) return file;
  mkdirSync(work, { recursive: true });
  // Encoding is the slow part (minutes on 2 cores), so one clip is encoded once and every input loops it
  // by stream copy: it starts on a keyframe, so each loop joins cleanly.
  const clip = join(work, `1080p25-4mbit-${CLIP_SECONDS}s.mp4`);
  if (!existsSync(clip)) {
    console.log(`bench: encoding a ${CLIP_SECONDS} s 1080p25 ~4 Mbit/s H.264 clip once (cached in bench/.work)…`);
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi'],
      ...['-i', `testsrc2=size=1920x1080:rate=25,noise=alls=10:allf=t`, '-t', String(CLIP_SECONDS)],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '4M', '-maxrate', '4.5M', '-bufsize', '8M'],
      ...['-g', '50', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', clip],
    ]);
  }
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-stream_loop', '-1', '-i', clip, '-t', String(inputSeconds)],
    ...['-c', 'copy', '-movflags', '+faststart', file],
  ]);
  return file;
}

async function waitForLine(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no "${text}" within ${timeoutMs} ms`)), timeoutMs);
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        done();
      }
    });
    child.once('exit', (code) => fail(new Error(`exited with ${code} before "${text}"`)));
  });
}

function sampleProcesses(pids: number[]): Sample {
  let ticks = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      rssBytes += Number(rss?.[1] ?? 0) * 1024;
    } catch {
      // A process that exited contributes nothing more.
    }
  }
  return { cpuSeconds: ticks / clockTicks, rssBytes };
}

/** User and system CPU seconds so far of the threads of `pid`, summed by thread name (the main thread apart). */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Node 20's libuv leaves its pool threads named like the main thread.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '');
      const name = Number(tid) === pid ? 'main thread' : comm === 'node' ? 'other threads' : comm;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const user = Number(fields[11]) / clockTicks;
      const system = Number(fields[12]) / clockTicks;
      byName.set(`${name} (user)`, (byName.get(`${name} (user)`) ?? 0) + user);
      byName.set(`${name} (system)`, (byName.get(`${name} (system)`) ?? 0) + system);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byName;
}

function printThreadCpu(before: Map<string, number>, after: Map<string, number>, streams: number): void {
  const rows = [...after].map(
    ([name, s]) => [name, (s - (before.get(name) ?? 0)) / (measureS / 60) / streams] as const,
  );
  rows.sort((a, b) => b[1] - a[1]);
  const text = rows.filter(([, v]) => v > 0.005).map(([name, v]) => `${name} ${v.toFixed(2)}`);
  console.log(`bench: vigil x${streams} CPU s/stream/min by thread: ${text.join(', ')}`);
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.mp4')) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Totals for all `pids`: the caller divides by its stream count. */
async function measure(
  pids: number[],
  outDir: string,
  onStart?: () => void,
): Promise<Omit<CaseResult, 'system' | 'streams'>> {
  await sleep(warmupS * 1000);
  onStart?.();
  const bytesBefore = directoryBytes(outDir);
  const start = sampleProcesses(pids);
  let peakRss = start.rssBytes;
  for (let s = 0; s < measureS; s++) {
    await sleep(1000);
    peakRss = Math.max(peakRss, sampleProcesses(pids).rssBytes);
  }
  const end = sampleProcesses(pids);
  const bytesAfter = directoryBytes(outDir);
  return {
    cpuSecondsPerStreamMinute: (end.cpuSeconds - start.cpuSeconds) / (measureS / 60),
    peakRssMb: peakRss / 2 ** 20,
    recordedMbitPerStream: ((bytesAfter - bytesBefore) * 8) / 1e6 / measureS,
  };
}

async function runFfmpeg(url: string, streams: number): Promise<CaseResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'vigil-bench-ffmpeg-'));
  const children = Array.from({ length: streams }, (_, i) =>
    spawn(
      'ffmpeg',
      [
        ...['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url],
        ...['-c', 'copy', '-f', 'segment', '-segment_time', '60', '-reset_timestamps', '1'],
        join(outDir, `s${i}_%03d.mp4`),
      ],
      { stdio: 'ignore' },
    ),
  );
  try {
    const m = await measure(
      children.map((c) => c.pid ?? 0),
      outDir,
    );
    return { system: 'ffmpeg', streams, ...perStream(m, streams) };
  } finally {
    for (const c of children) c.kill('SIGINT');
    await Promise.all(children.map((c) => new Promise((done) => c.once('exit', done))));
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** SIGTERM and wait; a child that already exited (it failed to start) is not waited for. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function runVigil(url: string, streams: number): Promise<CaseResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-vigil-'));
  const config = join(dataDir, 'vigil.yaml');
  const lines = [`port: ${await findFreePort()}`, 'host: 127.0.0.1', `data_dir: ${dataDir}`, 'demo: false'];
  lines.push('admin:', '  token: bench-token', 'streams:');
  for (let i = 0; i < streams; i++) lines.push(`  s${i}:`, `    url: ${url}`);
  writeFileSync(config, lines.join('\n') + '\n');
  // dist/ may be stale: the default compiles the tree as it is (VIGIL_ENTRY=build).
  const entry =
    vigilEntry === 'dist'
      ? [join(root, 'dist', 'cli', 'main.js')]
      : vigilEntry === 'build'
        ? [join(work, 'dist', 'cli', 'main.js')]
        : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];
  const profile =
    cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${resolve(cpuProfDir)}`];
  const child = spawn(process.execPath, [...profile, ...entry, 'serve', '--config', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await waitForLine(child, 'http://', 30_000);
    const pid = child.pid ?? 0;
    let threadsBefore = new Map<string, number>();
    const m = await measure([pid], dataDir, () => (threadsBefore = threadCpu(pid)));
    printThreadCpu(threadsBefore, threadCpu(pid), streams);
    return { system: 'vigil', streams, ...perStream(m, streams) };
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Vigil's recorders with the native RTSP client, in a process of their own:
 * the archive (SQLite index, segment files) and one Recorder per stream, as
 * `vigil serve` runs them, minus the HTTP API, telemetry and the rest of
 * the server: the difference between the two is what `vigil serve` adds.
 */
async function runVigilNative(url: string, streams: number): Promise<CaseResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-native-'));
  const profile =
    cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${resolve(cpuProfDir)}`];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      '--import',
      'tsx',
      join(root, 'bench', 'recorder-cost.ts'),
      NATIVE_HOST,
      dataDir,
      url,
      String(streams),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, VIGIL_RTSP_CLIENT: 'native' } },
  );
  try {
    await waitForLine(child, 'recording', 30_000);
    const pid = child.pid ?? 0;
    let threadsBefore = new Map<string, number>();
    const m = await measure([pid], dataDir, () => (threadsBefore = threadCpu(pid)));
    printThreadCpu(threadsBefore, threadCpu(pid), streams);
    return { system: 'vigil-native', streams, ...perStream(m, streams) };
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const NATIVE_HOST = '--native-host';

/** The child of runVigilNative: records `streams` copies of `url` into `dataDir` until SIGTERM. */
async function nativeHost(dataDir: string, url: string, streams: number): Promise<void> {
  const { Archive } = await import('../src/archive/index.js');
  const { Recorder } = await import('../src/record/recorder.js');
  const { createMediaEngine } = await import('../src/media/engine.js');
  const engine = createMediaEngine();
  const archive = await Archive.open({
    databasePath: join(dataDir, 'index.db'),
    defaultRoot: join(dataDir, 'archive'),
  });
  const recorders = Array.from(
    { length: streams },
    (_, i) =>
      new Recorder({
        engine: { ...engine, openSource: (u, o) => engine.openSource(u, { ...o, rtspClient: 'native' }) },
        archive,
        stream: `s${i}`,
        variant: 'main',
        url,
        thread: 'main',
      }),
  );
  for (const r of recorders) r.start();
  console.log('recording');
  await new Promise((done) => process.once('SIGTERM', done));
  await Promise.all(recorders.map((r) => r.stop()));
  await archive.close();
  process.exit(0);
}

function perStream(m: Omit<CaseResult, 'system' | 'streams'>, streams: number): Omit<CaseResult, 'system' | 'streams'> {
  return {
    cpuSecondsPerStreamMinute: m.cpuSecondsPerStreamMinute / streams,
    peakRssMb: m.peakRssMb,
    recordedMbitPerStream: m.recordedMbitPerStream / streams,
  };
}

/** Compiles the tree as it is (inside the repository, so that node_modules resolves). */
function buildVigil(): void {
  const outDir = join(work, 'dist');
  rmSync(outDir, { recursive: true, force: true });
  console.log('bench: compiling the sources into bench/.work/dist…');
  try {
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(root, 'tsconfig.build.json'),
        '--outDir',
        outDir,
      ],
      { stdio: 'inherit' },
    );
  } catch {
    // Type errors still emit JavaScript; what matters is that the entry exists.
  }
  if (!existsSync(join(outDir, 'cli', 'main.js'))) throw new Error('bench: the build wrote no cli/main.js');
}

async function main(): Promise<void> {
  if (vigilEntry === 'build' && systems.has('vigil')) buildVigil();
  const input = ensureInput();
  const camera = await startRtspCamera({ file: input, audio: false });
  const url = camera.url;
  const results: CaseResult[] = [];
  try {
    for (const n of streamCounts) {
      // Alternate which system goes first, so neither always gets the cooler machine.
      const order =
        results.length % 4 === 0 ? [runFfmpeg, runVigil, runVigilNative] : [runVigilNative, runVigil, runFfmpeg];
      const name = (r: (typeof order)[number]): string =>
        r === runVigil ? 'vigil' : r === runVigilNative ? 'vigil-native' : 'ffmpeg';
      for (const run of order.filter((r) => systems.has(name(r)))) {
        const r = await run(url, n);
        results.push(r);
        console.log(
          `bench: ${r.system} x${n}: ${r.cpuSecondsPerStreamMinute.toFixed(2)} CPU s/stream/min, peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.recordedMbitPerStream.toFixed(2)} Mbit/s/stream written`,
        );
      }
    }
  } finally {
    await camera.stop();
  }
  printTable(results);
}

function printTable(results: CaseResult[]): void {
  console.log(
    '\n| streams | recorder | CPU s per stream-minute | CPU % of a core per stream | peak RSS total | RSS per stream | written Mbit/s per stream | CPU vs ffmpeg |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const ffmpeg = results.find((o) => o.system === 'ffmpeg' && o.streams === r.streams);
    const ratio = ffmpeg ? (r.cpuSecondsPerStreamMinute / ffmpeg.cpuSecondsPerStreamMinute).toFixed(2) + '×' : '';
    console.log(
      `| ${r.streams} | ${r.system} | ${r.cpuSecondsPerStreamMinute.toFixed(2)} | ${((r.cpuSecondsPerStreamMinute / 60) * 100).toFixed(1)} % | ${r.peakRssMb.toFixed(0)} MB | ${(r.peakRssMb / r.streams).toFixed(1)} MB | ${r.recordedMbitPerStream.toFixed(2)} | ${ratio} |`,
    );
  }
}

if (process.argv[2] === NATIVE_HOST) {
  await nativeHost(process.argv[3] ?? '', process.argv[4] ?? '', Number(process.argv[5]));
} else {
  await main();
}
