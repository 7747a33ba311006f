/**
 * Reads byte ranges of segment files on local disk for the exporter. Payload
 * bytes go from the file to the socket in large chunks; nothing parses them.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { VigilError } from '../errors.js';
import type { SegmentByteReader, SegmentFileRef } from './types.js';
import { resolveInsideRoot } from './layout.js';

/** Big enough that a read costs one syscall per chunk, small enough to keep a slow client's memory flat. */
const DEFAULT_CHUNK_BYTES = 512 * 1024;

export class LocalSegmentReader implements SegmentByteReader {
  readonly source = 'disk' as const;

  constructor(private readonly chunkBytes = DEFAULT_CHUNK_BYTES) {}

  async *read(file: SegmentFileRef, offset: number, length: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
    if (length <= 0) return;
    const fullPath = resolveInsideRoot(file.root, file.path);
    let fh: FileHandle;
    try {
      fh = await open(fullPath, 'r');
    } catch (cause) {
      throw new VigilError('STORAGE_FAILED', `cannot open segment ${file.path}`, { cause });
    }
    try {
      let position = offset;
      let left = length;
      while (left > 0) {
        signal.throwIfAborted();
        // A fresh buffer per chunk: the consumer may still hold the previous one (a socket write in flight).
        const chunk = Buffer.allocUnsafeSlow(Math.min(this.chunkBytes, left));
        const { bytesRead } = await readFully(fh, chunk, position, file.path);
        if (bytesRead < chunk.length) {
          throw new VigilError(
            'STORAGE_FAILED',
            `segment ${file.path} ends at byte ${position + bytesRead}, but the index has bytes up to ${offset + length}`,
          );
        }
        position += bytesRead;
        left -= bytesRead;
        yield chunk;
      }
    } finally {
      await fh.close();
    }
  }
}

async function readFully(fh: FileHandle, into: Buffer, position: number, path: string): Promise<{ bytesRead: number }> {
  let filled = 0;
  try {
    while (filled < into.length) {
      const { bytesRead } = await fh.read(into, filled, into.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (cause) {
    throw new VigilError('STORAGE_FAILED', `reading segment ${path} failed`, { cause });
  }
  return { bytesRead: filled };
}
