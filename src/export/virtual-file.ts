/**
 * Serves any byte range of a planned layout: generated header bytes come from
 * memory, payload slices straight from the segment files. Nothing is staged.
 */
import { invalidArgument, VigilError } from '../errors.js';
import type { ByteSource, ChunkPool, SegmentByteReader, ServedBytes, VirtualFile, VirtualFileLayout } from './types.js';

export function readVirtualFile(layout: VirtualFileLayout, reader: SegmentByteReader): VirtualFile {
  return new LayoutFile(layout, reader);
}

function partLength(part: ByteSource): number {
  return part.kind === 'bytes' ? part.data.byteLength : part.length;
}

class LayoutFile implements VirtualFile {
  readonly sizeBytes: number;
  readonly contentType: string;
  readonly served: ServedBytes = { fromRam: 0, fromDisk: 0, fromRemote: 0 };
  readonly #parts: readonly ByteSource[];
  /** Start offset of each part; one more entry holding the total. */
  readonly #starts: Float64Array;

  constructor(
    layout: VirtualFileLayout,
    private readonly reader: SegmentByteReader,
  ) {
    this.#parts = layout.parts;
    this.#starts = new Float64Array(layout.parts.length + 1);
    let at = 0;
    layout.parts.forEach((part, i) => {
      this.#starts[i] = at;
      at += partLength(part);
    });
    this.#starts[layout.parts.length] = at;
    if (at !== layout.sizeBytes) {
      throw new VigilError('INTERNAL', `layout parts add up to ${at} bytes, but the layout says ${layout.sizeBytes}`);
    }
    this.sizeBytes = at;
    this.contentType = layout.contentType;
  }

  async *read(start: number, end: number, signal: AbortSignal, pool?: ChunkPool): AsyncIterable<Uint8Array> {
    if (!(
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      start >= 0 &&
      start <= end &&
      end <= this.sizeBytes
    )) {
      throw invalidArgument('range', `bytes ${start}-${end} are not inside a file of ${this.sizeBytes} bytes`);
    }
    for (let i = this.#partAt(start); i < this.#parts.length && this.#starts[i]! < end; i++) {
      signal.throwIfAborted();
      const part = this.#parts[i]!;
      const partStart = this.#starts[i]!;
      const from = Math.max(start, partStart) - partStart;
      const to = Math.min(end, this.#starts[i + 1]!) - partStart;
      if (part.kind === 'bytes') {
        this.served.fromRam += to - from;
        yield part.data.subarray(from, to);
        continue;
      }
      for await (const chunk of this.reader.read(part.file, part.offset + from, to - from, signal, pool)) {
        if (this.reader.source === 'remote') this.served.fromRemote += chunk.byteLength;
        else this.served.fromDisk += chunk.byteLength;
        yield chunk;
      }
    }
  }

  /** The index of the part holding byte `offset` (the last part for offset = size). */
  #partAt(offset: number): number {
    let lo = 0;
    let hi = this.#parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(0, lo);
  }
}
