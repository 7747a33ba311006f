/**
 * Export benchmark: stream-copy archive downloads against `cat` and against
 * `ffmpeg -f concat -c copy -movflags +faststart`, on a 1 h import of 1080p25
 * ~4 Mbit/s H.264 + AAC in 60 s segments (repeated 24 times in the index).
 * Throughput, exactness, time to first byte, server RSS and thumbnail latency,
 * side by side in one run; medians of interleaved rounds. A bare Node HTTP
 * server piping the same files shows what the loopback transport allows.
 *
 *   node --import tsx bench/export.ts      # ROUNDS=5 TTFB_ROUNDS=7 THUMB_ROUNDS=15
 *
 * With /usr/sbin/nginx installed, throughput also times nginx (sendfile on)
 * serving the same files: what a C server reaches over the same loopback.
 *
 * PARTS=throughput,exact,ttfb,thumb picks what to run. The input is made once
 * and cached in bench/.work. The page cache here is dropped within seconds, so
 * every timed run of every case is preceded by a `cat` of its input files.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from '../test/helpers/free-port.js';
import { startVigilProcess } from '../test/helpers/vigil-process.js';
import { judgeExactness, type Exactness } from './export-exact.js';
import { ensureBenchInput, FPS, HOUR_SECONDS, STREAM, T0_SECONDS, type BenchInput } from './export-input.js';
import {
  catToNull,
  curlGet,
  findServerPid,
  moovSizeBytes,
  runTimed,
  startPlainFileServer,
  withRssSampling,
  type PlainFileServer,
} from './export-measure.js';
import { curlAll, startNginx, type NginxServer } from './export-nginx.js';
import {
  fmt,
  FROM_OFFSET_S,
  oneDay,
  oneHour,
  printExactness,
  printFirstByte,
  printThroughput,
  printThumbnails,
  SEARCH_S,
  tenMinutes,
  type FirstByte,
  type Range,
  type ThumbResult,
  type Throughput,
} from './export-report.js';

const work = join(resolve(import.meta.dirname, '..'), 'bench', '.work');
const rounds = Number(process.env.ROUNDS ?? 5);
const ttfbRounds = Number(process.env.TTFB_ROUNDS ?? 7);
const thumbRounds = Number(process.env.THUMB_ROUNDS ?? 15);
const parts = new Set((process.env.PARTS ?? 'throughput,exact,ttfb,thumb').split(','));
const US = 1_000_000;

interface Ctx {
  input: BenchInput;
  baseUrl: string;
  token: string;
  pid: number;
  tmp: string;
  plain: PlainFileServer;
  /** The same files from nginx with sendfile (absent when nginx is not installed or not asked for). */
  nginx: NginxServer | undefined;
}

function archiveUrl(ctx: Ctx, r: Range): string {
  return `${ctx.baseUrl}/${STREAM}/archive-${r.fromS.toFixed(2)}-${r.durationS}.mp4`;
}

/** The segments a range touches, as whole files (what `cat` and ffmpeg's concat read). */
function segmentsOf(ctx: Pick<Ctx, 'input'>, r: Range) {
  const fromUs = r.fromS * US;
  const toUs = (r.fromS + r.durationS) * US;
  return ctx.input.segments.filter((s) => s.endUs > fromUs && s.startUs < toUs);
}

function filesOf(ctx: Pick<Ctx, 'input'>, r: Range): string[] {
  return segmentsOf(ctx, r).map((s) => join(s.root, s.path));
}

/** Every file the throughput ranges read (the 60 min range holds the 10 min one). */
function hourFiles(input: BenchInput): string[] {
  return filesOf({ input }, oneHour);
}

/** A concat list cut to the range with inpoint/outpoint, as an NVR built on ffmpeg would cut it. */
function concatList(ctx: Ctx, r: Range): string {
  const segments = segmentsOf(ctx, r);
  const lines = segments.map((s, i) => {
    const out = [`file '${join(s.root, s.path)}'`];
    if (i === 0) out.push(`inpoint ${(r.fromS - s.startUs / US).toFixed(3)}`);
    if (i === segments.length - 1) out.push(`outpoint ${(r.fromS + r.durationS - s.startUs / US).toFixed(3)}`);
    return out.join('\n');
  });
  const path = join(ctx.tmp, `concat-${r.durationS}.txt`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function ffmpegConcat(ctx: Ctx, r: Range, out: string): Promise<number> {
  const list = concatList(ctx, r);
  const args = ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list];
  const { wallMs } = await runTimed('ffmpeg', [...args, '-c', 'copy', '-movflags', '+faststart', out]);
  return wallMs;
}

function bucket(results: Map<string, Throughput>, key: string): Throughput {
  let b = results.get(key);
  if (b === undefined) results.set(key, (b = { wallMs: [], bytes: 0, rss: [] }));
  return b;
}

async function measureThroughput(ctx: Ctx): Promise<Map<string, Throughput>> {
  const results = new Map<string, Throughput>();
  const cases: Array<[string, Range, () => Promise<void>]> = [];
  for (const r of [tenMinutes, oneHour]) {
    const files = filesOf(ctx, r);
    const fileBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    cases.push([
      `vigil ${r.label}`,
      r,
      async () => {
        const [res, rss] = await withRssSampling(ctx.pid, () => curlGet(archiveUrl(ctx, r), ctx.token));
        if (res.status !== 200) throw new Error(`${archiveUrl(ctx, r)}: HTTP ${res.status}`);
        const b = bucket(results, `vigil ${r.label}`);
        b.wallMs.push(res.wallMs);
        b.bytes = res.sizeBytes;
        b.rss.push(rss);
      },
    ]);
    const plainUrl = ctx.plain.urlFor(files);
    cases.push([
      `node-http ${r.label}`,
      r,
      async () => {
        const res = await curlGet(plainUrl, ctx.token);
        const b = bucket(results, `node-http ${r.label}`);
        b.wallMs.push(res.wallMs);
        b.bytes = res.sizeBytes;
      },
    ]);
    const nginx = ctx.nginx;
    if (nginx !== undefined) {
      const urls = nginx.urlsFor(files);
      cases.push([
        `nginx ${r.label}`,
        r,
        async () => {
          const res = await curlAll(urls);
          if (res.status !== 200 || res.sizeBytes !== fileBytes) {
            throw new Error(`nginx ${r.label}: HTTP ${res.status}, ${res.sizeBytes} of ${fileBytes} bytes`);
          }
          const b = bucket(results, `nginx ${r.label}`);
          b.wallMs.push(res.wallMs);
          b.bytes = res.sizeBytes;
        },
      ]);
    }
    cases.push([
      `cat ${r.label}`,
      r,
      async () => {
        const b = bucket(results, `cat ${r.label}`);
        b.wallMs.push((await catToNull(files)).wallMs);
        b.bytes = fileBytes;
      },
    ]);
  }
  cases.push([
    `ffmpeg ${tenMinutes.label}`,
    tenMinutes,
    async () => {
      const out = join(ctx.tmp, 'concat.mp4');
      const b = bucket(results, `ffmpeg ${tenMinutes.label}`);
      b.wallMs.push(await ffmpegConcat(ctx, tenMinutes, out));
      b.bytes = statSync(out).size;
      rmSync(out);
    },
  ]);
  for (let round = 0; round < rounds; round++) {
    // A different case goes first each round, so none always follows the same neighbour.
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const [name, r, timed] of order) {
      await catToNull(filesOf(ctx, r));
      await timed();
      const b = results.get(name)!;
      console.log(`bench: round ${round + 1} ${name}: ${fmt(b.wallMs.at(-1)!)} ms`);
    }
  }
  return results;
}

async function measureExactness(ctx: Ctx): Promise<{ vigil: Exactness; ffmpeg: Exactness }> {
  const first = segmentsOf(ctx, oneHour)[0]!;
  const judge = (file: string) =>
    judgeExactness({
      file,
      sourceFile: ctx.input.hourFile,
      fromInSourceS: FROM_OFFSET_S,
      sourceDurationS: HOUR_SECONDS,
      askedDurationS: oneHour.durationS,
      lateS: oneHour.durationS - 1 / FPS,
      innerS: oneHour.durationS - 1,
      fps: FPS,
      searchFrames: SEARCH_S * FPS,
      archive: { file: join(first.root, first.path), fromInFileS: oneHour.fromS - first.startUs / US },
    });
  const vigilFile = join(ctx.tmp, 'vigil-60min.mp4');
  const res = await curlGet(archiveUrl(ctx, oneHour), ctx.token, vigilFile);
  if (res.status !== 200) throw new Error(`${archiveUrl(ctx, oneHour)}: HTTP ${res.status}`);
  const vigil = await judge(vigilFile);
  rmSync(vigilFile);
  const ffmpegFile = join(ctx.tmp, 'ffmpeg-60min.mp4');
  await ffmpegConcat(ctx, oneHour, ffmpegFile);
  const ffmpeg = await judge(ffmpegFile);
  rmSync(ffmpegFile);
  return { vigil, ffmpeg };
}

async function measureFirstByte(ctx: Ctx): Promise<FirstByte[]> {
  const ranges = [tenMinutes, oneHour, oneDay];
  const out = ranges.map((range) => ({ range, ms: [] as number[], moovBytes: NaN }));
  const head = join(ctx.tmp, 'head.bin');
  for (let round = 0; round < ttfbRounds; round++) {
    for (let i = 0; i < out.length; i++) {
      const fb = out[(i + round) % out.length]!;
      // The whole file is planned for any range request; only its first 64 KiB travel.
      const res = await curlGet(archiveUrl(ctx, fb.range), ctx.token, head, '0-65535');
      if (res.status !== 206) throw new Error(`${archiveUrl(ctx, fb.range)}: HTTP ${res.status}`);
      fb.ms.push(res.firstByteS * 1000);
      fb.moovBytes = moovSizeBytes(readFileSync(head));
    }
  }
  return out;
}

async function measureThumbnails(ctx: Ctx): Promise<ThumbResult> {
  // Ask near 10 min 4 s and use the keyframe Vigil answers with, so both sides decode one keyframe.
  const probe = await fetch(`${ctx.baseUrl}/${STREAM}/${T0_SECONDS + 604}-preview.jpg`, {
    headers: { authorization: `Bearer ${ctx.token}` },
  });
  await probe.arrayBuffer();
  const atS = Number(probe.headers.get('x-thumbnail-utc'));
  if (probe.status !== 200 || !Number.isFinite(atS)) throw new Error(`preview.jpg: HTTP ${probe.status}`);
  const segment = ctx.input.segments.find((s) => s.startUs <= atS * US && s.endUs > atS * US)!;
  const file = join(segment.root, segment.path);
  const seekS = (atS - segment.startUs / US).toFixed(3);
  const jpeg = join(ctx.tmp, 'thumb.jpg');
  const result: ThumbResult = { atS, vigilMs: [], ffmpegMs: [] };
  const url = `${ctx.baseUrl}/${STREAM}/${atS}-preview.jpg`;
  for (let round = 0; round < thumbRounds; round++) {
    const vigilFirst = round % 2 === 0;
    for (const side of vigilFirst ? ['vigil', 'ffmpeg'] : ['ffmpeg', 'vigil']) {
      await catToNull([file]);
      if (side === 'vigil') {
        const res = await curlGet(url, ctx.token);
        if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
        result.vigilMs.push(res.wallMs);
      } else {
        const args = ['-v', 'error', '-y', '-ss', seekS, '-i', file, '-frames:v', '1', '-f', 'image2', jpeg];
        result.ffmpegMs.push((await runTimed('ffmpeg', args)).wallMs);
      }
    }
  }
  return result;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const input = await ensureBenchInput(work);
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-bench-export-'));
  const plain = await startPlainFileServer();
  const nginx = parts.has('throughput') ? await startNginx(hourFiles(input), tmp) : undefined;
  const vigil = await startVigilProcess({ dataDir: input.dataDir, port: await findFreePort(), timeoutMs: 120_000 });
  try {
    const ctx: Ctx = {
      input,
      baseUrl: vigil.baseUrl,
      token: vigil.token,
      pid: findServerPid(join(input.dataDir, 'vigil.yaml')),
      tmp,
      plain,
      nginx,
    };
    const throughput = parts.has('throughput') ? await measureThroughput(ctx) : undefined;
    const exact = parts.has('exact') ? await measureExactness(ctx) : undefined;
    const firstByte = parts.has('ttfb') ? await measureFirstByte(ctx) : undefined;
    const thumbs = parts.has('thumb') ? await measureThumbnails(ctx) : undefined;
    console.log(
      `\nExport benchmark: 1 h of 1080p25 ~4 Mbit/s H.264 + AAC in 60 s segments, ranges from t0+${FROM_OFFSET_S} s`,
    );
    if (throughput !== undefined) printThroughput(throughput);
    if (exact !== undefined) printExactness(exact);
    if (firstByte !== undefined) printFirstByte(firstByte);
    if (thumbs !== undefined) printThumbnails(thumbs);
    const loadAtEnd = loadavg();
    console.log(
      `\nload average (1, 5, 15 min): start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}`,
    );
  } finally {
    await vigil.kill();
    await plain.close();
    await nginx?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
