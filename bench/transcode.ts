/**
 * Transcode benchmark: Vigil's runner (node-av in a child process) against
 * Debian's `ffmpeg` CLI running the same plan — the same filter graph, encoder,
 * preset, GOP, bitrate and thread count — in CPU seconds (user + sys of each
 * process tree, from this process's reaped-children times in /proc/self/stat).
 *
 *   node --import tsx bench/transcode.ts        # ROUNDS=1 CASES=720p,timelapse
 *
 * Inputs: the export benchmark's 60 s and 1 h 1080p25 ~4 Mbit/s H.264 files in
 * bench/.work when they are there, else made here (a 60 s clip looped by stream copy).
 * The two FFmpeg builds differ (node-av 8.1, Debian 5.1, each with its own libx264),
 * so the ratio also measures the libraries, not only Vigil's glue.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildTranscodePlan } from '../src/export/transcode/transcode-plan.js';
import { runTranscode } from '../src/export/transcode/runner.js';
import type { TranscodeInputInfo, TranscodeOptions, TranscodePlan } from '../src/export/transcode/types.js';

const run = promisify(execFile);
const work = join(resolve(import.meta.dirname, '..'), 'bench', '.work');
const out = join(work, 'transcode');
const rounds = Number(process.env.ROUNDS ?? 1);
const cases = new Set((process.env.CASES ?? '720p,timelapse').split(','));
const threads = cpus().length;
const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

interface Case {
  name: string;
  input: string;
  info: TranscodeInputInfo;
  options: TranscodeOptions;
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function ensureInputs(): { minute: string; hour: string } {
  mkdirSync(out, { recursive: true });
  const minute = join(work, '1080p25-4mbit-aac-60s.mp4');
  if (!existsSync(minute)) {
    console.log('bench: encoding a 60 s 1080p25 ~4 Mbit/s H.264 clip once (cached in bench/.work)…');
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25,noise=alls=10:allf=t', '-t', '60'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '4M', '-maxrate', '4.5M', '-bufsize', '8M'],
      ...['-g', '50', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', minute],
    ]);
  }
  const hour = join(work, '1080p25-4mbit-aac-3600s.mp4');
  if (!existsSync(hour)) {
    console.log('bench: looping it into 1 h by stream copy…');
    ffmpeg(['-stream_loop', '59', '-i', minute, '-map', '0:v:0', '-c', 'copy', '-t', '3600', hour]);
  }
  return { minute, hour };
}

/** CPU seconds of this process's reaped children so far (cutime + cstime). */
function childrenCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5), counted after the command name.
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_S;
}

async function measure(work: () => Promise<unknown>): Promise<{ cpuS: number; wallS: number }> {
  const cpu0 = childrenCpuS();
  const t0 = performance.now();
  await work();
  return { cpuS: childrenCpuS() - cpu0, wallS: (performance.now() - t0) / 1000 };
}

/** The plan as ffmpeg CLI arguments: the same graph and encoder options, nothing else. */
function cliArgs(plan: TranscodePlan, input: string, output: string): string[] {
  const videoOptions = Object.entries(plan.video.options).flatMap(([k, v]) => [`-${k}${k === 'b' ? ':v' : ''}`, v]);
  const muxOptions = Object.entries(plan.muxer.options).flatMap(([k, v]) => [`-${k}`, v]);
  return [
    ...['-v', 'error', '-y', ...(plan.keyframesOnly ? ['-skip_frame', 'nokey'] : []), '-i', input],
    ...['-vf', plan.videoFilter, '-c:v', plan.video.encoder, ...videoOptions, '-an'],
    ...['-f', plan.muxer.format, ...muxOptions, output],
  ];
}

async function probeInfo(input: string): Promise<TranscodeInputInfo> {
  const { stdout } = await run('ffprobe', [
    ...[
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,avg_frame_rate,duration,bit_rate',
    ],
    ...['-of', 'json', input],
  ]);
  const s = (JSON.parse(stdout) as { streams: Array<Record<string, string | number>> }).streams[0] ?? {};
  const [num, den] = String(s.avg_frame_rate).split('/').map(Number);
  return {
    width: Number(s.width),
    height: Number(s.height),
    fps: (num ?? 25) / (den ?? 1),
    hasAudio: false,
    durationS: Number(s.duration),
    videoBitrateKbps: Number(s.bit_rate) / 1000,
    // The inputs are encoded with -g 50.
    keyframeIntervalFrames: 50,
  };
}

async function main(): Promise<void> {
  const { minute, hour } = ensureInputs();
  const base = { videoCodec: 'h264', audio: { mode: 'drop' }, container: 'mp4', threads } as const;
  const all: Case[] = [
    {
      name: '1 min 1080p → 720p H.264 2 Mbit/s',
      input: minute,
      info: await probeInfo(minute),
      options: { ...base, width: 1280, height: 720, videoBitrateKbps: 2000 },
    },
    {
      name: '1 h 1080p → 720p timelapse 60×',
      input: hour,
      info: await probeInfo(hour),
      options: { ...base, width: 1280, height: 720, videoBitrateKbps: 2000, timelapse: 60 },
    },
  ];
  const picked = all.filter((c, i) => cases.has(i === 0 ? '720p' : 'timelapse'));
  const rows: string[] = [];
  for (const c of picked) {
    const plan = buildTranscodePlan(c.options, c.info);
    console.log(
      `bench: ${c.name}\n  -vf ${plan.videoFilter}\n  ${plan.video.encoder} ${JSON.stringify(plan.video.options)}`,
    );
    const vigil: number[] = [];
    const cli: number[] = [];
    const wall = { vigil: [] as number[], cli: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const vigilOut = join(out, 'vigil.mp4');
      const cliOut = join(out, 'cli.mp4');
      // Alternate the order so neither side always runs on a warmer cache.
      const sides: Array<() => Promise<void>> = [
        async () => {
          const m = await measure(() =>
            runTranscode({ input: { path: c.input }, outputPath: vigilOut, options: c.options }),
          );
          vigil.push(m.cpuS);
          wall.vigil.push(m.wallS);
        },
        async () => {
          const m = await measure(() => run('ffmpeg', cliArgs(plan, c.input, cliOut), { maxBuffer: 1 << 20 }));
          cli.push(m.cpuS);
          wall.cli.push(m.wallS);
        },
      ];
      for (const side of r % 2 === 0 ? sides : sides.reverse()) await side();
      rmSync(vigilOut, { force: true });
      rmSync(cliOut, { force: true });
    }
    const v = median(vigil);
    const f = median(cli);
    rows.push(
      `| ${c.name} | ${v.toFixed(1)} | ${f.toFixed(1)} | ${(v / f).toFixed(2)}× | ${median(wall.vigil).toFixed(1)} | ${median(wall.cli).toFixed(1)} |`,
    );
  }
  console.log(
    `\nmedians of ${rounds} round(s), ${threads} encoder threads, preset ${all[0]?.options.videoCodec === 'h264' ? 'veryfast' : ''}\n`,
  );
  console.log('| case | Vigil CPU s | ffmpeg CLI CPU s | ratio | Vigil wall s | CLI wall s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) console.log(row);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

await main();
