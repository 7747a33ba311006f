/**
 * Segment files on a local disk. The file is always written before the index
 * row that describes it, so after a crash the file may be ahead of the index
 * (recovery indexes the rest) but never behind it.
 */
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rmdir, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { VigilError } from '../errors.js';
import type { Database } from './index/database.js';
import { appendFragment, closeSegment, insertSegment } from './index/segments.repo.js';
import { checkInsideRootOnDisk, checkStreamName, resolveInsideRoot, segmentRelativePath } from './layout.js';
import type { NewFragment, NewSegment, SegmentAppender, SegmentRecord } from './types.js';

function storageError(message: string, cause: unknown): VigilError {
  return new VigilError('STORAGE_FAILED', message, { cause });
}

/** Writes every buffer at `position`, looping over short writes (a nearly full disk). */
async function writeAllAt(fh: FileHandle, buffers: Uint8Array[], position: number): Promise<number> {
  let pending = buffers.filter((b) => b.byteLength > 0);
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await fh.writev(pending, at);
    if (bytesWritten === 0) throw new Error('write made no progress');
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const b of pending) {
      if (skip >= b.byteLength) {
        skip -= b.byteLength;
        continue;
      }
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    pending = rest;
  }
  return at - position;
}

/**
 * Creates the segment file (init segment first), then its index row.
 * `codecs` is the RFC 6381 list the caller derived from the tracks.
 */
export async function openLocalSegment(
  db: Kysely<Database>,
  root: string,
  segment: NewSegment,
  codecs: string,
): Promise<SegmentAppender> {
  const path = segmentRelativePath(segment.stream, segment.variant, segment.startUs);
  const fullPath = resolveInsideRoot(root, path);
  let fh: FileHandle;
  try {
    // Checked before creating the hour directories, so a link out of the root gets nothing made through it.
    await mkdir(root, { recursive: true });
    await checkInsideRootOnDisk(root, path);
    await mkdir(dirname(fullPath), { recursive: true });
    // O_EXCL: two recorders must never share a file.
    fh = await open(fullPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
  } catch (cause) {
    if (cause instanceof VigilError) throw cause;
    throw storageError(`cannot create segment file ${fullPath}`, cause);
  }
  let record: SegmentRecord;
  try {
    await writeAllAt(fh, [segment.initSegment], 0);
    record = await insertSegment(db, {
      stream: segment.stream,
      variant: segment.variant,
      startUs: segment.startUs,
      endUs: segment.startUs,
      root,
      path,
      sizeBytes: segment.initSegment.byteLength,
      initSizeBytes: segment.initSegment.byteLength,
      tracks: segment.tracks,
      codecs,
      closed: false,
    });
  } catch (cause) {
    await fh.close().catch(() => undefined);
    await unlink(fullPath).catch(() => undefined);
    throw storageError(`cannot start segment ${path}`, cause);
  }
  return new LocalSegmentAppender(db, fh, record);
}

class LocalSegmentAppender implements SegmentAppender {
  #db: Kysely<Database>;
  #fh: FileHandle | undefined;
  #offset: number;
  readonly segment: SegmentRecord;

  constructor(db: Kysely<Database>, fh: FileHandle, segment: SegmentRecord) {
    this.#db = db;
    this.#fh = fh;
    this.segment = segment;
    this.#offset = segment.sizeBytes;
  }

  async appendFragment(fragment: NewFragment): Promise<void> {
    const fh = this.#fh;
    if (fh === undefined) throw new VigilError('CONFLICT', `segment ${this.segment.path} is already closed`);
    const moofOffset = this.#offset;
    const mdatSizeBytes = fragment.mdatChunks.reduce((sum, c) => sum + c.byteLength, 0);
    try {
      await writeAllAt(fh, [fragment.moof, ...fragment.mdatChunks], moofOffset);
    } catch (cause) {
      throw storageError(`writing a fragment to ${this.segment.path} failed`, cause);
    }
    this.#offset = moofOffset + fragment.moof.byteLength + mdatSizeBytes;
    await this.#db.transaction().execute((trx) =>
      appendFragment(trx, this.segment.id, {
        sequenceNumber: fragment.sequenceNumber,
        startUs: fragment.startUs,
        endUs: fragment.endUs,
        moofOffset,
        moofSizeBytes: fragment.moof.byteLength,
        mdatSizeBytes,
        startsWithKeyframe: fragment.startsWithKeyframe,
        moof: fragment.moof,
      }),
    );
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    if (fh === undefined) return;
    this.#fh = undefined;
    try {
      await fh.datasync();
    } catch (cause) {
      await fh.close().catch(() => undefined);
      throw storageError(`flushing ${this.segment.path} failed`, cause);
    }
    await fh.close();
    await closeSegment(this.#db, this.segment.id);
  }
}

/** Reads `length` bytes at `offset`; fewer only if the file is shorter. */
export async function readSlice(root: string, path: string, offset: number, length: number): Promise<Uint8Array> {
  const fullPath = resolveInsideRoot(root, path);
  let fh: FileHandle;
  try {
    fh = await open(fullPath, 'r');
  } catch (cause) {
    throw storageError(`cannot open segment ${path}`, cause);
  }
  try {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await fh.read(out, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === length ? out : out.subarray(0, filled);
  } catch (cause) {
    throw storageError(`reading segment ${path} failed`, cause);
  } finally {
    await fh.close();
  }
}

/**
 * Deletes a segment file (already gone is fine) and then the directories it
 * leaves empty, up to but not including the stream's own directory.
 */
export async function deleteSegmentFile(root: string, path: string): Promise<void> {
  const fullPath = resolveInsideRoot(root, path);
  const stream = path.split(/[\\/]/)[0] ?? '';
  checkStreamName(stream);
  try {
    await unlink(fullPath);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(`cannot delete segment ${path}`, cause);
  }
  const streamDir = resolve(root, stream);
  for (let dir = dirname(fullPath); dir !== streamDir && dir.startsWith(streamDir); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      // Not empty (another segment of the hour) or already gone: either way, stop climbing.
      break;
    }
  }
}

export interface FilesystemUsage {
  totalBytes: number;
  freeBytes: number;
  /** Free bytes an unprivileged process may use. */
  availableBytes: number;
}

export async function filesystemUsage(root: string): Promise<FilesystemUsage> {
  try {
    const s = await statfs(root);
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availableBytes: s.bavail * s.bsize };
  } catch (cause) {
    throw storageError(`cannot read disk usage of ${root}`, cause);
  }
}
