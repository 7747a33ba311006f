/**
 * Writes a planned export (a VirtualFile) to its final path without ever
 * leaving a half-written file under that name, and without overwriting one:
 * bytes go to a hidden `.part` file beside it, which is linked to the final
 * name only when complete (link fails where rename would silently replace).
 */
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BufferPool } from '../../archive/chunk-pool.js';
import { VigilError } from '../../errors.js';
import type { VirtualFile } from '../types.js';

export interface WriteProgress {
  bytesDone: number;
  bytesTotal: number;
}

/** The hidden name a job writes to before its file is complete (removed on error and cancel). */
export function partialPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.part`);
}

export async function writeExportFile(
  file: VirtualFile,
  finalPath: string,
  signal: AbortSignal,
  onProgress: (progress: WriteProgress) => void,
): Promise<{ bytes: number }> {
  await mkdir(dirname(finalPath), { recursive: true });
  const partial = partialPathFor(finalPath);
  try {
    await copyInto(file, partial, signal, onProgress);
    signal.throwIfAborted();
    await publishPartial(partial, finalPath);
    return { bytes: file.sizeBytes };
  } finally {
    await unlink(partial).catch(() => undefined);
  }
}

/** Gives a complete `.part` file its final name; refuses (CONFLICT) when something took that name meanwhile. */
export async function publishPartial(partial: string, finalPath: string): Promise<void> {
  try {
    await link(partial, finalPath);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new VigilError('CONFLICT', `${finalPath} appeared while the export ran; it was left as it is`, { cause });
    }
    throw cause;
  }
}

async function copyInto(
  file: VirtualFile,
  path: string,
  signal: AbortSignal,
  onProgress: (progress: WriteProgress) => void,
): Promise<void> {
  const out = await open(path, 'w');
  const pool = new BufferPool();
  let bytesDone = 0;
  try {
    for await (const chunk of file.read(0, file.sizeBytes, signal, pool)) {
      try {
        for (let at = 0; at < chunk.byteLength;) {
          at += (await out.write(chunk, at, chunk.byteLength - at)).bytesWritten;
        }
      } finally {
        pool.release(chunk);
      }
      bytesDone += chunk.byteLength;
      onProgress({ bytesDone, bytesTotal: file.sizeBytes });
    }
    await out.sync();
  } finally {
    await out.close();
  }
}
