/**
 * Memory for the payloads a source hands on (access units), cut from slabs
 * that are used again once every payload cut from them has been released.
 *
 * Why reuse and not allocate: V8 counts the external memory (ArrayBuffer
 * backing stores) allocated since its last full collection against the old
 * generation's limit. Fresh slabs at a camera's bitrate (~0.5 MB/s at
 * 4 Mbit/s) started a full mark-compact of the whole heap every ~15 s at
 * 4 streams, although almost nothing in the heap was garbage: a third of the
 * recorder's CPU (README "Recorder cost"). Reused slabs allocate nothing once
 * the recorder runs.
 *
 * The contract: the receiver of a payload calls `release` once nothing will
 * read its bytes again (the recorder: once the fragment holding it is
 * written), and never before. A payload that is never released only keeps
 * its slab from being reused: the slab is then left to the garbage collector
 * like any buffer, so a consumer that ignores `release` is slower, never
 * wrong. A second release of the same payload is ignored.
 */

export interface OwnedBytes {
  data: Buffer;
  /** Hands the bytes back: call once nothing reads `data` (or a view of it) any more. */
  release: () => void;
}

interface Slab {
  buffer: Buffer;
  used: number;
  /** Payloads cut from this slab, and how many of them are released. */
  cut: number;
  released: number;
}

export interface SlabAllocatorOptions {
  slabBytes: number;
  /** Released slabs kept for reuse; more are left to the garbage collector. */
  maxFreeSlabs: number;
}

const NO_RELEASE = (): void => undefined;

export class SlabAllocator {
  private readonly slabBytes: number;
  private readonly maxFreeSlabs: number;
  /** Larger payloads get a buffer of their own (one big keyframe must not strand a slab). */
  private readonly maxSlabbedBytes: number;
  private current: Slab | undefined;
  private readonly free: Buffer[] = [];
  private allocatedSlabs = 0;

  constructor(options: SlabAllocatorOptions) {
    this.slabBytes = options.slabBytes;
    this.maxFreeSlabs = options.maxFreeSlabs;
    this.maxSlabbedBytes = Math.floor(options.slabBytes / 4);
  }

  /** Slabs allocated so far (reused ones are not counted again). */
  get slabsAllocated(): number {
    return this.allocatedSlabs;
  }

  /** A copy of `bytes` that the receiver owns until it calls `release`. */
  copy(bytes: Uint8Array): OwnedBytes {
    const size = bytes.length;
    if (size > this.maxSlabbedBytes) {
      const own = Buffer.allocUnsafeSlow(size);
      own.set(bytes);
      return { data: own, release: NO_RELEASE };
    }
    let slab = this.current;
    if (slab === undefined || slab.used + size > slab.buffer.length) slab = this.current = this.nextSlab();
    const data = slab.buffer.subarray(slab.used, slab.used + size);
    data.set(bytes);
    // 8-byte alignment keeps each payload's start on a word, as allocators do.
    slab.used += (size + 7) & ~7;
    slab.cut += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      slab.released += 1;
      if (slab.released === slab.cut) this.settle(slab);
    };
    return { data, release };
  }

  /** Every payload of `slab` is released: the current slab starts over, an older one goes back to the pool. */
  private settle(slab: Slab): void {
    if (slab === this.current) {
      slab.used = 0;
      return;
    }
    if (this.free.length < this.maxFreeSlabs) this.free.push(slab.buffer);
  }

  private nextSlab(): Slab {
    let buffer = this.free.pop();
    if (buffer === undefined) {
      buffer = Buffer.allocUnsafeSlow(this.slabBytes);
      this.allocatedSlabs += 1;
    }
    return { buffer, used: 0, cut: 0, released: 0 };
  }
}
