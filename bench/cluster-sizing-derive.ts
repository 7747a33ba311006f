/**
 * Cluster sizing arithmetic: from the per-stream figures the bench measures
 * (and the README's recorder and export benchmarks) to 10 … 10 000 cameras.
 * Pure: every figure carries whether it was measured or derived.
 */

/** What the bench measured on one stream and one PostgreSQL. */
export interface MeasuredFigures {
  /** Media imported, seconds. */
  mediaSeconds: number;
  segments: number;
  fragments: number;
  /** Sum of the imported segments' sizes. */
  segmentBytes: number;
  /** Index bytes per stream-day (tables + indexes + TOAST, after VACUUM), per table. */
  indexBytesPerStreamDay: { segments: number; fragments: number };
  /** Rows behind those bytes (stream-days replayed). */
  replayedStreamDays: number;
  /** Fragment transactions per second: one writer, and `parallelWriters` at once. */
  insertRateSingle: number;
  insertRateParallel: number;
  parallelWriters: number;
  /** The importer end to end (media read + file writes + index), fragments per second. */
  importFragmentsPerS: number;
  /** Range GETs a progressive-MP4 download of the whole imported range makes (reader calls). */
  exportGets: number;
  exportBytes: number;
  /** Planning that download from PostgreSQL, cold, ms. */
  exportPlanMs: number;
  /** MD5 of segment files (the upload's Content-MD5), MB/s on one core. */
  md5MBps: number;
}

/** Figures taken from README.md's benchmark sections, and the assumptions stated beside the table. */
export interface SizingAssumptions {
  cameras: readonly number[];
  retentionDays: number;
  /** README Recorder cost, vigil at 16 streams. */
  recorderCpuSPerStreamMinute: number;
  recorderRssMBPerStream: number;
  coresPerNode: number;
  cpuBudget: number;
  nicGbit: number;
  nicBudget: number;
  /** README Export: a 60 min download, one response. */
  exportMBps: number;
  segmentSeconds: number;
  /** S3 uploads above this go multipart (src/archive/remote/s3-store.ts). */
  multipartThresholdBytes: number;
  partSizeBytes: number;
  /** A lease is renewed every leaseSeconds / 3 (cluster contract). */
  leaseSeconds: number;
}

export const DEFAULT_ASSUMPTIONS: SizingAssumptions = {
  cameras: [10, 100, 1_000, 10_000],
  retentionDays: 30,
  recorderCpuSPerStreamMinute: 0.47,
  recorderRssMBPerStream: 19.8,
  coresPerNode: 16,
  cpuBudget: 0.7,
  nicGbit: 10,
  nicBudget: 0.7,
  exportMBps: 765,
  segmentSeconds: 60,
  multipartThresholdBytes: 64 * 1024 * 1024,
  partSizeBytes: 16 * 1024 * 1024,
  leaseSeconds: 15,
};

export type Kind = 'measured' | 'derived' | 'README' | 'code';

export interface Row {
  figure: string;
  values: string[];
  kind: Kind;
}

const DAY_S = 86_400;

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '—';
  if (n !== 0 && Math.abs(n) < 0.01) return n.toExponential(1);
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function bytesText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u += 1;
  }
  return `${fmt(v, v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** Per-stream figures: the left part of the README table (one value each). */
export function perStreamRows(m: MeasuredFigures, a: SizingAssumptions): Row[] {
  const perHour = 3600 / m.mediaSeconds;
  const bitrateMbit = (m.segmentBytes * 8) / m.mediaSeconds / 1e6;
  const avgSegmentBytes = m.segmentBytes / m.segments;
  const day = m.indexBytesPerStreamDay;
  const md5CpuSPerMin = ((bitrateMbit / 8) * 60) / m.md5MBps;
  const one = (figure: string, value: string, kind: Kind): Row => ({ figure, values: [value], kind });
  return [
    one('media imported', `${fmt(m.mediaSeconds / 60, 1)} min, ${fmt(bitrateMbit, 2)} Mbit/s`, 'measured'),
    one('segment rows per stream-hour', fmt(m.segments * perHour, 1), 'measured'),
    one(
      'fragment rows per segment / per stream-hour',
      `${fmt(m.fragments / m.segments, 1)} / ${fmt(m.fragments * perHour)}`,
      'measured',
    ),
    one('sample rows', "0 (samples live in each fragment's moof blob)", 'code'),
    one('segment bytes per stream-hour', bytesText(m.segmentBytes * perHour), 'measured'),
    one(
      'index bytes per segment row (+ indexes)',
      bytesText(day.segments / ((m.segments / m.mediaSeconds) * DAY_S)),
      'measured',
    ),
    one(
      'index bytes per fragment row (+ moof, indexes)',
      bytesText(day.fragments / ((m.fragments / m.mediaSeconds) * DAY_S)),
      'measured',
    ),
    one('index bytes per stream-day', bytesText(day.segments + day.fragments), 'measured'),
    one('fragment transactions/s, 1 writer', fmt(m.insertRateSingle), 'measured'),
    one(`fragment transactions/s, ${m.parallelWriters} writers`, fmt(m.insertRateParallel), 'measured'),
    one('importer, fragments/s end to end', fmt(m.importFragmentsPerS), 'measured'),
    one(
      'S3 requests per segment',
      `${s3PutsPerSegment(avgSegmentBytes, a)} PUT + 1 HEAD (+1 DELETE at retention)`,
      'code',
    ),
    one(
      `range GETs per ${fmt(m.mediaSeconds / 60)} min MP4 download`,
      `${fmt(m.exportGets)} (${fmt(m.exportGets / m.segments, 1)} per segment)`,
      'measured',
    ),
    one('planning that download from PostgreSQL (cold)', `${fmt(m.exportPlanMs)} ms`, 'measured'),
    one(
      'MD5 for uploads, CPU s per stream-minute',
      `${fmt(md5CpuSPerMin, 3)} (${fmt(m.md5MBps)} MB/s per core)`,
      'measured',
    ),
    one('S3 range GETs per 1 h download', fmt((m.exportGets * 3600) / m.mediaSeconds), 'derived'),
    one(
      `S3 GET/s while one 1 h download runs at ${a.exportMBps} MB/s`,
      fmt((m.exportGets / m.exportBytes) * a.exportMBps * 1e6),
      'derived',
    ),
    one(
      'recorder CPU s per stream-minute / RSS per stream',
      `${a.recorderCpuSPerStreamMinute} / ${a.recorderRssMBPerStream} MB`,
      'README',
    ),
    one('one download (60 min, from local disk)', `${a.exportMBps} MB/s`, 'README'),
  ];
}

/** 1 PUT up to the multipart threshold; above it create + parts + complete. */
export function s3PutsPerSegment(segmentBytes: number, a: SizingAssumptions): number {
  if (segmentBytes <= a.multipartThresholdBytes) return 1;
  return Math.ceil(segmentBytes / a.partSizeBytes) + 2;
}

/** The cluster table: one column per camera count. */
export function clusterRows(m: MeasuredFigures, a: SizingAssumptions): Row[] {
  const cams = a.cameras;
  const retentionS = a.retentionDays * DAY_S;
  const bytesPerStreamS = m.segmentBytes / m.mediaSeconds;
  const fragmentS = m.mediaSeconds / m.fragments;
  const segmentsPerStreamDay = DAY_S / a.segmentSeconds;
  const indexPerStreamDay = m.indexBytesPerStreamDay.segments + m.indexBytesPerStreamDay.fragments;
  const puts = s3PutsPerSegment(m.segmentBytes / m.segments, a);
  const md5CpuPerStream = bytesPerStreamS / 1e6 / m.md5MBps;
  const cpuPerStream = a.recorderCpuSPerStreamMinute / 60 + md5CpuPerStream;
  const streamsByCpu = Math.floor((a.coresPerNode * a.cpuBudget) / cpuPerStream);
  const streamsByNic = Math.floor((a.nicGbit * 1e9 * a.nicBudget) / (bytesPerStreamS * 8));
  const streamsPerNode = Math.min(streamsByCpu, streamsByNic);
  // The native RTSP client reads on the main thread: at worst all of a stream's CPU is there.
  const streamsPerProcess = Math.floor((a.cpuBudget * 60) / a.recorderCpuSPerStreamMinute);
  const nodes = (n: number): number => Math.max(1, Math.ceil(n / streamsPerNode));
  const hourBytes = m.segmentBytes * (3600 / m.mediaSeconds);
  const exportS = hourBytes / (a.exportMBps * 1e6);
  const nicMBps = (a.nicGbit * 1e9 * a.nicBudget) / 8 / 1e6;
  const exporterProcesses = Math.ceil(nicMBps / a.exportMBps);
  const row = (figure: string, f: (n: number) => string, kind: Kind = 'derived'): Row => ({
    figure,
    values: cams.map(f),
    kind,
  });
  return [
    row('stored (segments)', (n) => bytesText(n * bytesPerStreamS * retentionS)),
    row('segment rows', (n) => fmt(n * segmentsPerStreamDay * a.retentionDays)),
    row('fragment rows', (n) => fmt((n * retentionS) / fragmentS)),
    row('PostgreSQL size (tables + indexes)', (n) => bytesText(n * indexPerStreamDay * a.retentionDays)),
    row('fragment transactions/s (steady)', (n) => fmt(n / fragmentS)),
    row(
      `… share of the ${m.parallelWriters}-writer rate measured here`,
      (n) => `${fmt((100 * n) / fragmentS / m.insertRateParallel, 1)} %`,
    ),
    row('lease renewals/s (≤, one row per stream)', (n) => fmt(n / (a.leaseSeconds / 3), 1)),
    row('S3 objects held', (n) => fmt(n * segmentsPerStreamDay * a.retentionDays)),
    row('S3 PUT/s', (n) => fmt((n * puts) / a.segmentSeconds, 2)),
    row('S3 HEAD/s', (n) => fmt(n / a.segmentSeconds, 2)),
    row('S3 DELETE/s (retention, after 30 days)', (n) => fmt(n / a.segmentSeconds, 2)),
    row('S3 upload bandwidth', (n) => `${fmt((n * bytesPerStreamS * 8) / 1e9, 2)} Gbit/s`),
    row(
      `recorder nodes (${a.coresPerNode} cores at ${a.cpuBudget * 100} %, ${a.nicGbit} GbE at ${a.nicBudget * 100} %)`,
      (n) => fmt(nodes(n)),
    ),
    row('… streams per node (CPU limit / NIC limit)', () => `${fmt(streamsByCpu)} / ${fmt(streamsByNic)}`),
    row('… Vigil processes per node (≤ 70 % of a main thread)', (n) =>
      fmt(Math.ceil(Math.min(n, streamsPerNode) / streamsPerProcess)),
    ),
    row(
      'network in per recorder node',
      (n) => `${fmt((Math.min(n, streamsPerNode) * bytesPerStreamS * 8) / 1e6)} Mbit/s`,
    ),
    row('RAM for recorders per node', (n) => bytesText(Math.min(n, streamsPerNode) * a.recorderRssMBPerStream * 1e6)),
    row('local disk for 1 h of cache per node', (n) => bytesText(Math.min(n, streamsPerNode) * bytesPerStreamS * 3600)),
    row('one 1 h download, s (one exporter process, from disk)', () => fmt(exportS, 1)),
    row(`exporter node: 1 h downloads per hour (${a.nicGbit} GbE at ${a.nicBudget * 100} %)`, () =>
      fmt((Math.min(nicMBps, exporterProcesses * a.exportMBps) * 1e6 * 3600) / hourBytes),
    ),
    row('… exporter processes per node to fill the link', () => fmt(exporterProcesses)),
  ];
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(header: string[], rows: Row[]): string {
  const lines = [header, ...rows.map((r) => [r.figure, ...r.values, r.kind])];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const cell = (l: string[]): string => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [cell(lines[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.slice(1).map(cell)].join(
    '\n',
  );
}
