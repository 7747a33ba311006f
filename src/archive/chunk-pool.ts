/**
 * A few large read buffers reused for the whole of one response. Reading a 1 h
 * download into fresh buffers allocates ~1.9 GB of external memory and the GC
 * pressure that comes with it; with a pool a download holds at most
 * `maxChunks × chunkBytes`, and the pool bound is also its back-pressure: a
 * read waits until the socket has finished writing an earlier chunk.
 */
import type { ChunkPool } from './types.js';

export class BufferPool implements ChunkPool {
  readonly #free: Buffer[] = [];
  readonly #lent = new Set<ArrayBufferLike>();
  #allocated = 0;
  readonly #waiting: Array<(chunk: Buffer) => void> = [];

  constructor(
    readonly chunkBytes = 1024 * 1024,
    private readonly maxChunks = 4,
  ) {}

  /** A free buffer of `chunkBytes`; waits while all `maxChunks` are out. Rejects when `signal` aborts. */
  acquire(signal: AbortSignal): Promise<Buffer> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    let chunk = this.#free.pop();
    if (chunk === undefined && this.#allocated < this.maxChunks) {
      chunk = Buffer.allocUnsafeSlow(this.chunkBytes);
      this.#allocated += 1;
    }
    if (chunk !== undefined) return Promise.resolve(this.#lend(chunk));
    return new Promise<Buffer>((resolve, reject) => {
      const onAbort = () => {
        this.#waiting.splice(this.#waiting.indexOf(handOver), 1);
        reject(signal.reason as Error);
      };
      const handOver = (chunk: Buffer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.#lend(chunk));
      };
      this.#waiting.push(handOver);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives back a buffer from `acquire` (or any view of it); anything else (a generated header, a chunk already given back) is ignored, so a caller may release every chunk it wrote. */
  release(chunk: Uint8Array): void {
    if (!this.#lent.delete(chunk.buffer)) return;
    const whole = Buffer.from(chunk.buffer, 0, this.chunkBytes);
    const next = this.#waiting.shift();
    if (next !== undefined) next(whole);
    else this.#free.push(whole);
  }

  #lend(chunk: Buffer): Buffer {
    this.#lent.add(chunk.buffer);
    return chunk;
  }
}
