/**
 * Cluster sizing: measures what one stream costs the shared services on a
 * real PostgreSQL, then derives 10 … 10 000 cameras from it (arithmetic in
 * cluster-sizing-derive.ts; README "Sizing a cluster" shows the result).
 *
 *   npm run bench:cluster     # MINUTES=30 REPLAY_DAYS=1 WRITERS=8
 *
 * 1. Imports MINUTES of the export bench's 1080p25 ~4 Mbit/s H.264 + AAC hour
 *    (bench/.work, made from a looped 60 s clip when absent) into PostgreSQL
 *    with the importer, in 60 s segments: rows per segment and per hour.
 * 2. Replays those rows as a recorder writes them (one transaction per
 *    fragment) into a second database until it holds REPLAY_DAYS stream-days:
 *    first one stream-hour by one writer, then WRITERS streams at once. Gives
 *    the insert rates and, after VACUUM, table + index bytes per stream-day.
 * 3. Plans a progressive-MP4 download of the whole import from PostgreSQL and
 *    reads it through a counting reader: each read is one S3 range GET.
 * 4. Times MD5 over segment files (the upload's Content-MD5 and ETag check).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { Archive } from '../src/archive/index.js';
import { type Database, openDatabase } from '../src/archive/index/database.js';
import { resolveInsideRoot } from '../src/archive/layout.js';
import type { FragmentRecord, SegmentByteReader, SegmentRecord } from '../src/archive/types.js';
import { planExport } from '../src/export/index.js';
import { createMediaEngine } from '../src/media/index.js';
import { importFiles } from '../src/record/index.js';
import { startPostgres, postgresSkipReason } from '../test/helpers/postgres.js';
import {
  clusterRows,
  DEFAULT_ASSUMPTIONS,
  markdownTable,
  type MeasuredFigures,
  perStreamRows,
} from './cluster-sizing-derive.js';
import { type RecordedRows, replayConcurrently, replayStream } from './cluster-sizing-replay.js';

const root = resolve(import.meta.dirname, '..');
const work = join(root, 'bench', '.work');
const MINUTES = Number(process.env.MINUTES ?? 30);
const REPLAY_DAYS = Number(process.env.REPLAY_DAYS ?? 1);
const WRITERS = Number(process.env.WRITERS ?? 8);
const STREAM = 'cam';
const T0_US = Date.UTC(2026, 0, 5) * 1000;
const MiB = 1024 * 1024;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** MINUTES of 1080p25 ~4 Mbit/s H.264 + AAC: cut by stream copy from the export bench's hour, else made here. */
function prepareInput(tmp: string): string {
  const hour = join(work, '1080p25-4mbit-aac-3600s.mp4');
  const out = join(tmp, `input-${MINUTES}min.mp4`);
  if (existsSync(hour)) {
    if (MINUTES >= 60) return hour;
    ffmpeg(['-i', hour, '-t', String(MINUTES * 60), '-map', '0', '-c', 'copy', out]);
    return out;
  }
  console.log('sizing: no bench/.work hour; encoding a 60 s clip and looping it (a minute or two)…');
  const clip = join(tmp, 'clip.mp4');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25,noise=alls=10:allf=t', '-t', '60'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '4M', '-maxrate', '4.5M', '-bufsize', '8M'],
    ...['-g', '50', '-pix_fmt', 'yuv420p', clip],
  ]);
  // Video looped by copy, AAC encoded afresh over the whole length (a looped tone would leave gaps at joins).
  ffmpeg([
    ...[
      '-stream_loop',
      String(Math.ceil(MINUTES) - 1),
      '-i',
      clip,
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
    ],
    ...[
      '-map',
      '0:v:0',
      '-map',
      '1:a:0',
      '-t',
      String(MINUTES * 60),
      '-c:v',
      'copy',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      out,
    ],
  ]);
  return out;
}

async function countRows(db: Kysely<Database>): Promise<{ segments: number; fragments: number; bytes: number }> {
  const s = await db
    .selectFrom('segments')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('size_bytes').as('bytes')])
    .executeTakeFirstOrThrow();
  const f = await db
    .selectFrom('fragments')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return { segments: Number(s.n), fragments: Number(f.n), bytes: Number(s.bytes) };
}

/** Table + TOAST + indexes of each table, in bytes. */
async function tableBytes(db: Kysely<Database>): Promise<{ segments: number; fragments: number }> {
  const { rows } = await sql<{ relname: string; total: string }>`
    select relname, pg_total_relation_size(oid) as total from pg_class
    where relname in ('segments', 'fragments') and relkind = 'r'`.execute(db);
  const of = (name: string): number => Number(rows.find((r) => r.relname === name)?.total ?? 0);
  return { segments: of('segments'), fragments: of('fragments') };
}

/** Reads nothing: counts the reads (one S3 range GET each from the remote reader) and their bytes. */
class CountingReader implements SegmentByteReader {
  readonly source = 'remote' as const;
  reads = 0;
  bytes = 0;
  readonly #zeros = new Uint8Array(MiB);

  async *read(_file: unknown, _offset: number, length: number): AsyncIterable<Uint8Array> {
    this.reads += 1;
    this.bytes += length;
    for (let left = length; left > 0; left -= MiB) yield this.#zeros.subarray(0, Math.min(MiB, left));
  }
}

async function measureExport(archive: Archive, segments: SegmentRecord[]) {
  const reader = new CountingReader();
  const started = performance.now();
  const planned = await planExport(
    { archive, reader },
    { stream: STREAM, variant: 'main', fromUs: segments[0]!.startUs, toUs: segments.at(-1)!.endUs, gaps: 'collapse' },
    'mp4',
    { title: STREAM, timeZone: 'UTC' },
  );
  const planMs = performance.now() - started;
  for await (const _chunk of planned.file.read(0, planned.file.sizeBytes, AbortSignal.timeout(600_000))) {
    // Counting only.
  }
  return { gets: reader.reads, bytes: planned.file.sizeBytes, planMs };
}

/** MB/s of MD5 on one core over whole segment files already in memory. */
async function measureMd5(segments: SegmentRecord[]): Promise<number> {
  const files = await Promise.all(segments.slice(0, 4).map((s) => readFile(resolveInsideRoot(s.root, s.path))));
  const before = process.cpuUsage();
  let bytes = 0;
  for (let round = 0; round < 3; round++) {
    for (const file of files) {
      createHash('md5').update(file).digest();
      bytes += file.byteLength;
    }
  }
  const cpu = process.cpuUsage(before);
  return bytes / 1e6 / ((cpu.user + cpu.system) / 1e6);
}

async function recordedRows(archive: Archive, segments: SegmentRecord[]): Promise<RecordedRows> {
  const bySegment = new Map<number, FragmentRecord[]>(segments.map((s) => [s.id, []]));
  for (const f of await archive.fragmentsOf(segments.map((s) => s.id))) bySegment.get(f.segmentId)?.push(f);
  return { segments, fragmentsBySegment: bySegment, spanUs: segments.at(-1)!.endUs - segments[0]!.startUs };
}

async function measureReplay(url: string, rows: RecordedRows) {
  const db = await openDatabase(url);
  try {
    const spanS = rows.spanUs / 1e6;
    const singleCopies = Math.max(1, Math.round(3600 / spanS));
    const single = { ...(await timed(() => replayStream(db, rows, 'single', singleCopies))) };
    const totalCopies = Math.ceil((REPLAY_DAYS * 86_400) / spanS);
    const eachCopies = Math.max(1, Math.ceil((totalCopies - singleCopies) / WRITERS));
    console.log(`sizing: replaying ${WRITERS} streams × ${eachCopies} × ${(spanS / 60).toFixed(1)} min at once…`);
    const parallel = await replayConcurrently(db, rows, 'par', WRITERS, eachCopies);
    const streamDays = ((singleCopies + eachCopies * WRITERS) * spanS) / 86_400;
    const bloated = await tableBytes(db);
    await sql`vacuum analyze`.execute(db);
    const sizes = await tableBytes(db);
    console.log(
      `sizing: ${streamDays.toFixed(2)} stream-days replayed; tables + indexes ${mb(bloated.segments + bloated.fragments)} before VACUUM, ${mb(sizes.segments + sizes.fragments)} after`,
    );
    return {
      streamDays,
      perStreamDay: { segments: sizes.segments / streamDays, fragments: sizes.fragments / streamDays },
      single: single.fragments / single.seconds,
      parallel: parallel.fragments / parallel.seconds,
    };
  } finally {
    await db.destroy();
  }
}

async function timed<T extends object>(f: () => Promise<T>): Promise<T & { seconds: number }> {
  const started = performance.now();
  const result = await f();
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const skip = postgresSkipReason();
  if (skip !== undefined) throw new Error(`bench:cluster needs PostgreSQL: ${skip}`);
  const tmp = await mkdtemp(join(tmpdir(), 'vigil-sizing-'));
  const pg = await startPostgres();
  try {
    const input = prepareInput(tmp);
    const archive = await Archive.open({ databasePath: await pg.createDatabase(), defaultRoot: join(tmp, 'archive') });
    try {
      console.log(`sizing: importing ${MINUTES} min of ${input} into PostgreSQL (60 s segments)…`);
      const imported = await timed(() =>
        importFiles({
          archive,
          engine: createMediaEngine(),
          stream: STREAM,
          startUs: T0_US,
          files: [input],
          segmentDurationUs: 60_000_000,
        }),
      );
      const counts = await countRows(archive.db);
      const segments = await archive.listAllSegments();
      const exportFigures = await measureExport(archive, segments);
      const md5MBps = await measureMd5(segments);
      const replay = await measureReplay(await pg.createDatabase(), await recordedRows(archive, segments));
      const measured: MeasuredFigures = {
        mediaSeconds: imported.durationUs / 1e6,
        segments: counts.segments,
        fragments: counts.fragments,
        segmentBytes: counts.bytes,
        indexBytesPerStreamDay: replay.perStreamDay,
        replayedStreamDays: replay.streamDays,
        insertRateSingle: replay.single,
        insertRateParallel: replay.parallel,
        parallelWriters: WRITERS,
        importFragmentsPerS: counts.fragments / imported.seconds,
        exportGets: exportFigures.gets,
        exportBytes: exportFigures.bytes,
        exportPlanMs: exportFigures.planMs,
        md5MBps,
      };
      printTables(measured);
    } finally {
      await archive.close();
    }
  } finally {
    await pg.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

function printTables(measured: MeasuredFigures): void {
  const a = DEFAULT_ASSUMPTIONS;
  console.log('\nPer stream and per node (one PostgreSQL on this machine):\n');
  console.log(markdownTable(['figure', 'value', 'kind'], perStreamRows(measured, a)));
  console.log(`\nCluster, ${a.retentionDays} days of 1080p25 ~4 Mbit/s per camera:\n`);
  const header = ['figure', ...a.cameras.map((n) => `${n.toLocaleString('en-US')} cameras`), 'kind'];
  console.log(markdownTable(header, clusterRows(measured, a)));
  console.log(`\nmeasured (raw): ${JSON.stringify(measured)}`);
}

await main();
