/**
 * Reads byte ranges of segment files on local disk for the exporter. Payload
 * bytes go from the file to the socket in large chunks; nothing parses them.
 */
import { VigilError } from '../errors.js';
import { FileHandleCache, type LeasedHandle } from './file-handle-cache.js';
import type { ChunkPool, SegmentByteReader, SegmentFileRef } from './types.js';
import { resolveInsideRoot } from './layout.js';

/** Big enough that a read costs one syscall per chunk, small enough to keep a slow client's memory flat. */
const DEFAULT_CHUNK_BYTES = 512 * 1024;

export class LocalSegmentReader implements SegmentByteReader {
  readonly source = 'disk' as const;
  readonly #handles = new FileHandleCache();

  constructor(private readonly chunkBytes = DEFAULT_CHUNK_BYTES) {}

  async *read(
    file: SegmentFileRef,
    offset: number,
    length: number,
    signal: AbortSignal,
    pool?: ChunkPool,
  ): AsyncIterable<Uint8Array> {
    if (length <= 0) return;
    const fullPath = resolveInsideRoot(file.root, file.path);
    let handle: LeasedHandle;
    try {
      handle = await this.#handles.lease(fullPath);
    } catch (cause) {
      throw new VigilError('STORAGE_FAILED', `cannot open segment ${file.path}`, { cause });
    }
    try {
      let position = offset;
      let left = length;
      while (left > 0) {
        signal.throwIfAborted();
        const chunk = await this.#nextBuffer(left, signal, pool);
        let filled: number;
        try {
          filled = await readFully(handle, chunk, position, file.path);
        } catch (err) {
          pool?.release(chunk);
          throw err;
        }
        if (filled < chunk.length) {
          pool?.release(chunk);
          throw new VigilError(
            'STORAGE_FAILED',
            `segment ${file.path} ends at byte ${position + filled}, but the index has bytes up to ${offset + length}`,
          );
        }
        position += filled;
        left -= filled;
        yield chunk;
      }
    } finally {
      handle.release();
    }
  }

  /** Closes the file handles kept open between reads. */
  close(): Promise<void> {
    return this.#handles.close();
  }

  /** A pooled buffer cut to what is left, or (no pool) a fresh one: the consumer may still hold the previous chunk. */
  async #nextBuffer(left: number, signal: AbortSignal, pool: ChunkPool | undefined): Promise<Buffer> {
    if (pool === undefined) return Buffer.allocUnsafeSlow(Math.min(this.chunkBytes, left));
    const chunk = await pool.acquire(signal);
    return left < chunk.length ? chunk.subarray(0, left) : chunk;
  }
}

async function readFully(handle: LeasedHandle, into: Buffer, position: number, path: string): Promise<number> {
  let filled = 0;
  try {
    while (filled < into.length) {
      const { bytesRead } = await handle.fh.read(into, filled, into.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (cause) {
    throw new VigilError('STORAGE_FAILED', `reading segment ${path} failed`, { cause });
  }
  return filled;
}
