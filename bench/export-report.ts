/** The ranges the export benchmark measures, the shapes of its results, and the tables it prints. */
import type { Exactness } from './export-exact.js';
import { T0_SECONDS } from './export-input.js';
import { median, type RssPeak } from './export-measure.js';

/** Mid-segment and mid-GOP, so the exact start needs pre-roll and an edit list. */
export const FROM_OFFSET_S = 90.52;
/** How far either side of where it should be a frame is looked for in the source. */
export const SEARCH_S = 10;

export interface Range {
  label: string;
  fromS: number;
  durationS: number;
}

export const tenMinutes: Range = { label: '10 min', fromS: T0_SECONDS + FROM_OFFSET_S, durationS: 600 };
export const oneHour: Range = { label: '60 min', fromS: T0_SECONDS + FROM_OFFSET_S, durationS: 3600 };
export const oneDay: Range = { label: '24 h', fromS: T0_SECONDS + 0.52, durationS: 24 * 3600 - 1 };

export interface Throughput {
  wallMs: number[];
  bytes: number;
  rss: RssPeak[];
}

export interface FirstByte {
  range: Range;
  ms: number[];
  moovBytes: number;
}

export interface ThumbResult {
  atS: number;
  vigilMs: number[];
  ffmpegMs: number[];
}

export const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function printThroughput(t: Map<string, Throughput>): void {
  const mbps = (b: Throughput) => b.bytes / 1e6 / (median(b.wallMs) / 1000);
  console.log(
    '\n| case (to /dev/null) | bytes | median ms | MB/s | vs cat (MB/s) | vs bare Node HTTP | vs nginx sendfile | goal |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of [tenMinutes, oneHour]) {
    const cat = t.get(`cat ${r.label}`)!;
    const plain = t.get(`node-http ${r.label}`)!;
    const nginx = t.get(`nginx ${r.label}`);
    const names = [
      `vigil ${r.label}`,
      `node-http ${r.label}`,
      ...(nginx === undefined ? [] : [`nginx ${r.label}`]),
      `cat ${r.label}`,
      ...(r === tenMinutes ? [`ffmpeg ${r.label}`] : []),
    ];
    for (const name of names) {
      const b = t.get(name)!;
      const goal = name.startsWith('vigil') ? '≥ 0.9×' : '';
      const vsNginx = nginx === undefined ? 'n/a' : `${fmt(mbps(b) / mbps(nginx), 2)}×`;
      console.log(
        `| ${name} | ${b.bytes} | ${fmt(median(b.wallMs))} | ${fmt(mbps(b))} | ${fmt(mbps(b) / mbps(cat), 2)}× | ${fmt(mbps(b) / mbps(plain), 2)}× | ${vsNginx} | ${goal} |`,
      );
    }
  }
  if (!t.has(`nginx ${tenMinutes.label}`)) console.log('\n(nginx + sendfile: not measured)');
  printPairedRatios(t);
  const vigil10 = median(t.get(`vigil ${tenMinutes.label}`)!.wallMs);
  const ffmpeg10 = median(t.get(`ffmpeg ${tenMinutes.label}`)!.wallMs);
  console.log(`\nVigil 10 min vs ffmpeg concat: ${fmt(ffmpeg10 / vigil10, 1)}× faster (goal ≥ 10×)`);
  console.log('\n| server RSS during | before MB | peak MB | peak − before MB (max over rounds) |');
  console.log('|---|---:|---:|---:|');
  for (const r of [tenMinutes, oneHour]) {
    const rss = t.get(`vigil ${r.label}`)!.rss;
    const growth = Math.max(...rss.map((x) => x.peakKb - x.beforeKb)) / 1024;
    const before = median(rss.map((x) => x.beforeKb)) / 1024;
    const peak = Math.max(...rss.map((x) => x.peakKb)) / 1024;
    console.log(`| ${r.label} download | ${fmt(before)} | ${fmt(peak)} | ${fmt(growth, 1)} |`);
  }
}

/**
 * MB/s ratios taken within each round (cases of one round ran back to back), then the median over
 * rounds: steadier than a ratio of medians when the machine's load changes from round to round.
 */
function printPairedRatios(t: Map<string, Throughput>): void {
  const perRound = (a: Throughput, b: Throughput) =>
    a.wallMs.map((ms, i) => a.bytes / ms / (b.bytes / b.wallMs[i]!)).filter(Number.isFinite);
  console.log('\n| MB/s ratio, median of per-round ratios | 10 min | 60 min |');
  console.log('|---|---:|---:|');
  const pairs: Array<[string, string]> = [
    ['vigil', 'cat'],
    ['node-http', 'cat'],
    ['nginx', 'cat'],
    ['vigil', 'nginx'],
    ['vigil', 'node-http'],
    ['node-http', 'nginx'],
  ];
  for (const [a, b] of pairs) {
    const cells = [tenMinutes, oneHour].map((r) => {
      const x = t.get(`${a} ${r.label}`);
      const y = t.get(`${b} ${r.label}`);
      return x === undefined || y === undefined ? 'n/a' : `${fmt(median(perRound(x, y)), 2)}×`;
    });
    console.log(`| ${a} / ${b} | ${cells.join(' | ')} |`);
  }
}

export function printExactness(e: { vigil: Exactness; ffmpeg: Exactness }): void {
  const frames = (n: number | null | undefined) =>
    n === null ? 'no frame there' : n === undefined ? `not within ±${SEARCH_S} s` : `${n > 0 ? '+' : ''}${n}`;
  console.log('\n60 min from mid-segment; offsets in frames against the 1 h source at the same instant (0 = exact)');
  console.log(
    '| output | first frame exact | first frame offset | vs segment file | duration error ms (container / video track) | offset at 3599.96 s | drift over the hour (offset at 3599 s − first) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const [name, x] of [
    ['vigil', e.vigil],
    ['ffmpeg concat', e.ffmpeg],
  ] as const) {
    console.log(
      `| ${name} | ${x.firstOffsetFrames === 0 ? 'yes' : 'no'} | ${frames(x.firstOffsetFrames)} | ${frames(x.firstOffsetVsArchiveFrames)} | ${fmt(x.durationErrorMs, 1)} / ${fmt(x.videoDurationErrorMs, 1)} | ${frames(x.lateOffsetFrames)} | ${frames(x.driftFrames)} |`,
    );
  }
}

export function printFirstByte(fb: FirstByte[]): void {
  console.log('\n| range | time to first byte, median ms | min–max ms | moov bytes | goal |');
  console.log('|---|---:|---:|---:|---|');
  for (const f of fb) {
    const goal = f.range === oneHour ? '≤ 50 ms' : '';
    console.log(
      `| ${f.range.label} | ${fmt(median(f.ms), 1)} | ${fmt(Math.min(...f.ms), 1)}–${fmt(Math.max(...f.ms), 1)} | ${f.moovBytes} | ${goal} |`,
    );
  }
}

export function printThumbnails(t: ThumbResult): void {
  const vigil = median(t.vigilMs);
  const ffmpeg = median(t.ffmpegMs);
  console.log(`\n| thumbnail 1080p at keyframe ${t.atS} | median ms | ratio | goal |`);
  console.log('|---|---:|---:|---|');
  console.log(`| vigil GET -preview.jpg | ${fmt(vigil, 1)} | ${fmt(ffmpeg / vigil, 1)}× faster | ≥ 5× |`);
  console.log(`| ffmpeg -ss T -i seg -frames:v 1 | ${fmt(ffmpeg, 1)} | | |`);
}
