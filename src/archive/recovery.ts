/**
 * Start-up recovery: makes the index agree with the segment files after a
 * crash. (a) Rows whose file is gone are dropped. (b) Segments left open are
 * re-scanned from their last indexed fragment; complete fragments written
 * after it are indexed, a torn tail is cut off, and the segment is closed.
 * (c) Segment files the index does not know are indexed from their own boxes.
 * A file that cannot be parsed is reported and left alone, never deleted.
 */
import { readdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { codecString, readFragment, readInitSegment, readTrackDefaults } from '../mp4/index.js';
import type { TrackConfig, TrackDefaults } from '../mp4/types.js';
import { findInitEnd, scanFragments, type FragmentScan } from './fragment-scan.js';
import { timingRun } from './fragment-time.js';
import type { Database } from './index/database.js';
import {
  appendFragment,
  deleteSegment,
  insertSegment,
  listFragments,
  listSegments,
  updateSegmentExtent,
} from './index/segments.repo.js';
import { listStoredRemotely, markSegmentRemoteOnly } from './index/segment-storage.repo.js';
import { parseSegmentPath, resolveInsideRoot } from './layout.js';
import type { SegmentRecord } from './types.js';
import { messageOf } from '../errors.js';

export interface RecoveryReport {
  /** Index rows dropped because their file is gone. */
  droppedMissing: Array<{ segmentId: number; root: string; path: string }>;
  /** Open segments closed, with the fragments found after the last indexed one and the bytes cut off. */
  closed: Array<{ segmentId: number; path: string; fragmentsAdded: number; truncatedBytes: number; note?: string }>;
  /** Files the index did not know, now indexed. */
  indexed: Array<{ segmentId: number; root: string; path: string; fragments: number; truncatedBytes: number }>;
  /** Files left alone because they could not be parsed. */
  unreadable: Array<{ root: string; path: string; reason: string }>;
}

function message(err: unknown): string {
  return messageOf(err);
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Cuts a torn tail so the file ends at its last complete fragment; returns the bytes removed. */
async function cutTornTail(fullPath: string, fileBytes: number, scan: FragmentScan): Promise<number> {
  if (!scan.tornTail || scan.validEnd >= fileBytes) return 0;
  await truncate(fullPath, scan.validEnd);
  return fileBytes - scan.validEnd;
}

function trexOf(buf: Uint8Array, initEnd: number): TrackDefaults[] {
  try {
    return readTrackDefaults(buf.subarray(0, initEnd));
  } catch {
    return [];
  }
}

async function closeOpenSegment(db: Kysely<Database>, s: SegmentRecord, report: RecoveryReport): Promise<void> {
  const fullPath = resolveInsideRoot(s.root, s.path);
  const buf = await readFile(fullPath);
  const indexed = await listFragments(db, [s.id]);
  const last = indexed.at(-1);
  const resumeAt = last === undefined ? s.initSizeBytes : last.moofOffset + last.moofSizeBytes + last.mdatSizeBytes;
  if (buf.length < resumeAt) {
    // Cannot happen with file-first writes; close what the index has and say so.
    await updateSegmentExtent(db, s.id, { endUs: s.endUs, sizeBytes: s.sizeBytes, closed: true });
    const note = `file has ${buf.length} bytes, the index expects ${resumeAt}`;
    report.closed.push({ segmentId: s.id, path: s.path, fragmentsAdded: 0, truncatedBytes: 0, note });
    return;
  }
  const trex = trexOf(buf, s.initSizeBytes);
  const first = indexed[0];
  const firstBaseDecodeTime =
    first === undefined
      ? undefined
      : timingRun(readFragment(first.moof, trex, first.moofOffset), s.tracks).baseMediaDecodeTime;
  const scan = scanFragments(buf, resumeAt, s.tracks, trex, { segmentStartUs: s.startUs, firstBaseDecodeTime });
  const truncatedBytes = await cutTornTail(fullPath, buf.length, scan);
  await db.transaction().execute(async (trx) => {
    for (const f of scan.fragments) await appendFragment(trx, s.id, f);
    const endUs = Math.max(s.endUs, ...scan.fragments.map((f) => f.endUs));
    await updateSegmentExtent(trx, s.id, { endUs, sizeBytes: scan.validEnd, closed: true });
  });
  report.closed.push({
    segmentId: s.id,
    path: s.path,
    fragmentsAdded: scan.fragments.length,
    truncatedBytes,
    ...(scan.stoppedBecause === undefined || scan.tornTail ? {} : { note: scan.stoppedBecause }),
  });
}

async function indexUnknownFile(
  db: Kysely<Database>,
  root: string,
  path: string,
  report: RecoveryReport,
): Promise<void> {
  const parsed = parseSegmentPath(path);
  if (parsed === undefined) {
    report.unreadable.push({ root, path, reason: 'the file name is not a segment name (<stream>/…/<start>Z.mp4)' });
    return;
  }
  const fullPath = resolveInsideRoot(root, path);
  const buf = await readFile(fullPath);
  const initEnd = findInitEnd(buf);
  if (initEnd === undefined) {
    report.unreadable.push({ root, path, reason: 'no complete moov (init segment) at the start' });
    return;
  }
  let scan: FragmentScan;
  let tracks: TrackConfig[];
  try {
    tracks = readInitSegment(buf.subarray(0, initEnd));
    if (tracks.length === 0) throw new Error('the init segment has no audio or video track');
    scan = scanFragments(buf, initEnd, tracks, trexOf(buf, initEnd), { segmentStartUs: parsed.startUs });
  } catch (err) {
    report.unreadable.push({ root, path, reason: message(err) });
    return;
  }
  const truncatedBytes = await cutTornTail(fullPath, buf.length, scan);
  const segmentId = await db.transaction().execute(async (trx) => {
    const s = await insertSegment(trx, {
      stream: parsed.stream,
      variant: parsed.variant,
      startUs: parsed.startUs,
      endUs: parsed.startUs,
      root,
      path,
      sizeBytes: initEnd,
      initSizeBytes: initEnd,
      tracks,
      codecs: tracks.map((t) => codecString(t)).join(','),
      closed: true,
    });
    for (const f of scan.fragments) await appendFragment(trx, s.id, f);
    await updateSegmentExtent(trx, s.id, {
      endUs: Math.max(parsed.startUs, ...scan.fragments.map((f) => f.endUs)),
      sizeBytes: scan.validEnd,
      closed: true,
    });
    return s.id;
  });
  report.indexed.push({ segmentId, root, path, fragments: scan.fragments.length, truncatedBytes });
}

/** Relative paths (with `/`) of the `.mp4` files under `root`; links are not followed. */
async function listMp4Files(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(join(dir, e.name), childRel);
      else if (e.isFile() && e.name.endsWith('.mp4')) out.push(childRel);
    }
  }
  await walk(root, '');
  return out;
}

function fileKey(root: string, path: string): string {
  return `${root}\0${path}`;
}

export async function recoverArchive(db: Kysely<Database>, roots: readonly string[]): Promise<RecoveryReport> {
  const report: RecoveryReport = { droppedMissing: [], closed: [], indexed: [], unreadable: [] };

  // Cluster storage: a segment in object storage is not lost when its local copy is gone.
  const remote = await listStoredRemotely(db);
  const segments = await listSegments(db);
  // Known (root, path) pairs: one list query instead of one lookup per file on disk (a round trip each on PostgreSQL).
  const known = new Set(segments.map((s) => fileKey(s.root, s.path)));
  for (const s of segments) {
    if (remote.get(s.id) === 'remote') continue;
    try {
      await stat(resolveInsideRoot(s.root, s.path));
    } catch (err) {
      if (!isMissing(err)) throw err;
      if (remote.get(s.id) === 'both') {
        await markSegmentRemoteOnly(db, s.id);
        continue;
      }
      await deleteSegment(db, s.id);
      known.delete(fileKey(s.root, s.path));
      report.droppedMissing.push({ segmentId: s.id, root: s.root, path: s.path });
      continue;
    }
    if (s.closed) continue;
    try {
      await closeOpenSegment(db, s, report);
    } catch (err) {
      report.unreadable.push({ root: s.root, path: s.path, reason: message(err) });
    }
  }

  for (const root of roots) {
    for (const path of await listMp4Files(root)) {
      if (known.has(fileKey(root, path))) continue;
      try {
        await indexUnknownFile(db, root, path, report);
      } catch (err) {
        report.unreadable.push({ root, path, reason: message(err) });
      }
    }
  }
  return report;
}
