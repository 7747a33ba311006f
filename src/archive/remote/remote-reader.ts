/**
 * Segment bytes from object storage (range GETs), and a reader that prefers
 * the local copy: the newest segments are cached on disk (live HLS, recent
 * exports) and the rest come from the bucket without being staged on disk.
 */
import { access } from 'node:fs/promises';
import { resolveInsideRoot } from '../layout.js';
import type { ChunkPool, SegmentByteReader, SegmentFileRef } from '../types.js';
import type { S3SegmentStore } from './s3-store.js';

export class RemoteSegmentReader implements SegmentByteReader {
  readonly source = 'remote' as const;

  constructor(private readonly store: S3SegmentStore) {}

  async *read(file: SegmentFileRef, offset: number, length: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
    if (length <= 0) return;
    yield* this.store.readRange(this.store.keyFor(file.path), offset, length, signal);
  }
}

/**
 * Local when the file is there, else remote. A file evicted between the
 * check and the open makes the local read fail before its first byte; that
 * read is then served from the bucket. An open file keeps being read after
 * eviction (the handle outlives the unlink).
 *
 * `source` says `disk`: byte accounting per read (disk or remote) needs the
 * SegmentByteReader contract to report the source per read, not per reader.
 */
export class LocalFirstSegmentReader implements SegmentByteReader {
  readonly source = 'disk' as const;

  constructor(
    private readonly local: SegmentByteReader,
    private readonly remote: SegmentByteReader,
  ) {}

  async *read(
    file: SegmentFileRef,
    offset: number,
    length: number,
    signal: AbortSignal,
    pool?: ChunkPool,
  ): AsyncIterable<Uint8Array> {
    if (!(await existsLocally(file))) {
      yield* this.remote.read(file, offset, length, signal, pool);
      return;
    }
    let yielded = false;
    try {
      for await (const chunk of this.local.read(file, offset, length, signal, pool)) {
        yielded = true;
        yield chunk;
      }
    } catch (err) {
      if (yielded || signal.aborted || (await existsLocally(file))) throw err;
      yield* this.remote.read(file, offset, length, signal, pool);
    }
  }
}

async function existsLocally(file: SegmentFileRef): Promise<boolean> {
  try {
    await access(resolveInsideRoot(file.root, file.path));
    return true;
  } catch {
    return false;
  }
}
