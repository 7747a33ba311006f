/**
 * The archive as the API, the recorder and the retention runner see it: the
 * index plus the segment files on local disk, behind one object.
 */
import { isAbsolute } from 'node:path';
import type { Kysely } from 'kysely';
import type { StreamDefinition, Variant } from '../config/stream-types.js';
import { invalidArgument, VigilError } from '../errors.js';
import { codecString } from '../mp4/index.js';
import { nowUs } from '../time.js';
import { checkNewEvent } from './event-check.js';
import { type Database, openDatabase } from './index/database.js';
import { deleteEvent, deleteEventsOfStream, insertEvent, listEvents } from './index/events.repo.js';
import { deleteLocksOfStream, insertLock, listLocks, replaceLocks } from './index/locks.repo.js';
import {
  deleteSegment,
  listFragments,
  listSegmentRoots,
  findSegmentById,
  listSegments,
  segmentSequenceBases,
  type StreamDepth,
  streamDepth,
} from './index/segments.repo.js';
import * as streamsRepo from './index/streams.repo.js';
import { checkStreamName } from './layout.js';
import { overlapsLock, planUnlock } from './lock-intervals.js';
import { deleteSegmentFile, openLocalSegment } from './local-store.js';
import { computeRanges, DEFAULT_GAP_TOLERANCE_US } from './ranges.js';
import { recoverArchive, type RecoveryReport } from './recovery.js';
import type {
  ArchiveWriter,
  FragmentRecord,
  LockRecord,
  NewSegment,
  NewStreamEvent,
  RecordedRange,
  SegmentAppender,
  SegmentRecord,
  StreamEventRecord,
} from './types.js';

export interface ArchiveOptions {
  databasePath: string;
  /** Absolute directory for streams whose definition names no `dvr.root`. */
  defaultRoot: string;
  gapToleranceUs?: number;
  /** UTC µs clock (tests inject one). */
  now?: () => number;
}

function checkInterval(fromUs: number, durationUs: number): void {
  if (!Number.isSafeInteger(fromUs) || fromUs < 0) {
    throw invalidArgument('from', `expected a non-negative time, got ${fromUs}`);
  }
  if (!Number.isSafeInteger(durationUs) || durationUs < 0) {
    throw invalidArgument('duration', `expected a non-negative duration, got ${durationUs}`);
  }
}

/**
 * Cluster storage, as the archive sees it (archive/remote/ implements it):
 * told of each closed segment, and asked to delete a segment's object inside
 * the transaction that deletes its row, so a row never goes before its object.
 */
export interface ArchiveRemoteStorage {
  segmentClosed(segment: SegmentRecord): void;
  /** Deletes the segment's object if it has one; throwing keeps the row. */
  deleteObjectOf(trx: Kysely<Database>, segment: SegmentRecord): Promise<void>;
}

export class Archive implements ArchiveWriter {
  readonly db: Kysely<Database>;
  #remote: ArchiveRemoteStorage | undefined;
  readonly defaultRoot: string;
  readonly #gapToleranceUs: number;
  readonly #now: () => number;

  private constructor(db: Kysely<Database>, opts: ArchiveOptions) {
    this.db = db;
    this.defaultRoot = opts.defaultRoot;
    this.#gapToleranceUs = opts.gapToleranceUs ?? DEFAULT_GAP_TOLERANCE_US;
    this.#now = opts.now ?? nowUs;
  }

  static async open(opts: ArchiveOptions): Promise<Archive> {
    if (!isAbsolute(opts.defaultRoot)) {
      throw invalidArgument('dvr.root', `expected an absolute directory, got ${JSON.stringify(opts.defaultRoot)}`);
    }
    return new Archive(await openDatabase(opts.databasePath), opts);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Cluster mode: closed segments go to object storage, and deletions delete their objects too. */
  useRemoteStorage(remote: ArchiveRemoteStorage): void {
    this.#remote = remote;
  }

  // --- write side (recorder) ---

  async openSegment(segment: NewSegment): Promise<SegmentAppender> {
    checkStreamName(segment.stream);
    const root = await this.rootFor(segment.stream);
    const codecs = segment.tracks.map((t) => codecString(t)).join(',');
    const appender = await openLocalSegment(this.db, root, segment, codecs);
    const remote = this.#remote;
    if (remote === undefined) return appender;
    return {
      segment: appender.segment,
      appendFragment: (fragment) => appender.appendFragment(fragment),
      close: async () => {
        await appender.close();
        remote.segmentClosed(appender.segment);
      },
    };
  }

  /** The archive root of a stream: its own `dvr.root`, else the default. */
  async rootFor(stream: string): Promise<string> {
    const def = await streamsRepo.findStream(this.db, stream);
    return def?.dvr.root ?? this.defaultRoot;
  }

  /** Every root that may hold segments: the default, those streams name, those the index names. */
  async knownRoots(): Promise<string[]> {
    const roots = new Set([this.defaultRoot]);
    for (const def of await streamsRepo.listStreams(this.db)) if (def.dvr.root !== undefined) roots.add(def.dvr.root);
    for (const root of await listSegmentRoots(this.db)) roots.add(root);
    return [...roots].sort();
  }

  // --- streams ---

  async saveStream(def: StreamDefinition): Promise<void> {
    checkStreamName(def.name);
    await streamsRepo.upsertStream(this.db, def, this.#now());
  }

  getStream(name: string): Promise<StreamDefinition | undefined> {
    return streamsRepo.findStream(this.db, name);
  }

  listStreams(): Promise<StreamDefinition[]> {
    return streamsRepo.listStreams(this.db);
  }

  /**
   * Removes a stream definition. With `purge`, also its locks, events, segments
   * and files; the caller stops the stream's recorder first. Without it the
   * events stay with the recordings they describe.
   */
  async deleteStream(name: string, opts: { purge: boolean }): Promise<void> {
    if (!(await streamsRepo.deleteStream(this.db, name))) {
      throw new VigilError('STREAM_NOT_FOUND', `no stream named ${JSON.stringify(name)}`);
    }
    if (!opts.purge) return;
    await deleteLocksOfStream(this.db, name);
    await deleteEventsOfStream(this.db, name);
    for (const segment of await listSegments(this.db, { stream: name })) {
      await this.#remote?.deleteObjectOf(this.db, segment);
      await deleteSegment(this.db, segment.id);
      await deleteSegmentFile(segment.root, segment.path);
    }
  }

  // --- what is recorded ---

  async ranges(stream: string, variant: Variant = 'main'): Promise<RecordedRange[]> {
    return computeRanges(await listSegments(this.db, { stream, variant }), this.#gapToleranceUs);
  }

  depth(stream: string): Promise<StreamDepth> {
    return streamDepth(this.db, stream);
  }

  /** Segments overlapping `[fromUs, toUs)`, ordered by start (for the exporter). */
  segmentsInRange(stream: string, variant: Variant, fromUs: number, toUs: number): Promise<SegmentRecord[]> {
    return listSegments(this.db, { stream, variant, fromUs, toUs });
  }

  segmentById(id: number): Promise<SegmentRecord | undefined> {
    return findSegmentById(this.db, id);
  }

  /** Stream-wide ordinal of each segment's first fragment (live HLS media sequence numbers). */
  sequenceBases(segmentIds: number[]): Promise<Map<number, number>> {
    return segmentSequenceBases(this.db, segmentIds);
  }

  fragmentsOf(segmentIds: number[]): Promise<FragmentRecord[]> {
    return listFragments(this.db, segmentIds);
  }

  listAllSegments(): Promise<SegmentRecord[]> {
    return listSegments(this.db);
  }

  /**
   * Deletes a segment unless a lock of its stream overlaps it. Reading the
   * locks and deleting the row are one transaction, and the index has one
   * connection, so a lock being added either is seen by the check or is
   * written after the row is gone: no lock is ever confirmed over a segment
   * that is deleted afterwards. The file goes after the row, so nothing is
   * served from a deleted file; a file left behind by a crash in between is
   * indexed again at start and retention takes it on its next pass.
   *
   * `afterLockCheck` runs inside the transaction, between the check and the
   * delete: tests use it to add a lock at exactly that point.
   */
  async removeSegmentUnlessLocked(
    segment: SegmentRecord,
    hooks: { afterLockCheck?: () => Promise<void> | void } = {},
  ): Promise<'deleted' | 'locked'> {
    const outcome = await this.db.transaction().execute(async (trx) => {
      const locks = await listLocks(trx, segment.stream);
      if (locks.some((l) => overlapsLock(segment.startUs, segment.endUs, l))) return 'locked' as const;
      await hooks.afterLockCheck?.();
      await this.#remote?.deleteObjectOf(trx, segment);
      await deleteSegment(trx, segment.id);
      return 'deleted' as const;
    });
    if (outcome === 'deleted') await deleteSegmentFile(segment.root, segment.path);
    return outcome;
  }

  /**
   * Deletes the closed segments (all variants) lying wholly inside the range.
   * Segments overlapping a lock of the stream are kept and counted.
   */
  async deleteRange(
    stream: string,
    fromUs: number,
    durationUs: number,
  ): Promise<{ deletedSegments: number; keptLocked: number }> {
    checkStreamName(stream);
    checkInterval(fromUs, durationUs);
    const toUs = fromUs + durationUs;
    let deletedSegments = 0;
    let keptLocked = 0;
    for (const s of await listSegments(this.db, { stream, fromUs, toUs, closed: true })) {
      if (s.startUs < fromUs || s.endUs > toUs) continue;
      if ((await this.removeSegmentUnlessLocked(s)) === 'locked') keptLocked += 1;
      else deletedSegments += 1;
    }
    return { deletedSegments, keptLocked };
  }

  // --- locks ---

  async addLock(stream: string, fromUs: number, durationUs: number): Promise<LockRecord> {
    checkStreamName(stream);
    checkInterval(fromUs, durationUs);
    return insertLock(this.db, { stream, fromUs, durationUs, createdAtUs: this.#now() });
  }

  listLocks(stream?: string): Promise<LockRecord[]> {
    return listLocks(this.db, stream);
  }

  /** Unlocks `[fromUs, fromUs + durationUs)`: locks are trimmed or split so none covers it any more. */
  async removeLock(stream: string, fromUs: number, durationUs: number): Promise<void> {
    checkStreamName(stream);
    checkInterval(fromUs, durationUs);
    await this.db.transaction().execute(async (trx) => {
      const plan = planUnlock(await listLocks(trx, stream), fromUs, durationUs);
      await replaceLocks(
        trx,
        plan.deleteIds,
        plan.keep.map((k) => ({ stream, fromUs: k.fromUs, durationUs: k.durationUs, createdAtUs: k.lock.createdAtUs })),
      );
    });
  }

  // --- events ---

  /**
   * Records an event (checked: see event-check.ts). Retention by age or quota leaves events
   * alone (they are small, and an export of a range with no recording has no chapters anyway);
   * only a stream purge removes them.
   */
  async addEvent(event: NewStreamEvent): Promise<StreamEventRecord> {
    checkStreamName(event.stream);
    return insertEvent(this.db, { ...checkNewEvent(event), createdAtUs: this.#now() });
  }

  /** Events of a stream overlapping `[fromUs, toUs)` (instants inside it included), ordered by start. */
  async listEvents(stream: string, fromUs: number, toUs: number): Promise<StreamEventRecord[]> {
    checkStreamName(stream);
    checkInterval(fromUs, 0);
    if (!Number.isSafeInteger(toUs) || toUs < fromUs) {
      throw invalidArgument('to', `expected a time at or after from, got ${toUs} (from is ${fromUs})`);
    }
    return listEvents(this.db, stream, fromUs, toUs);
  }

  /** False when the stream has no event with that id. */
  deleteEvent(stream: string, id: number): Promise<boolean> {
    return deleteEvent(this.db, stream, id);
  }

  // --- start-up ---

  /** Brings the index in line with the files after a crash; run before recording starts. */
  async recover(): Promise<RecoveryReport> {
    return recoverArchive(this.db, await this.knownRoots());
  }
}
