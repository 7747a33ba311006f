/**
 * Growable typed-array columns for the samples the planner gathers from
 * moofs. A 24 h range has millions of samples: one object per sample would
 * dominate planning time and memory.
 */

export class SampleColumns {
  count = 0;
  /** Decode time on the wall-clock axis, in track ticks from the plan's origin (see select-samples.ts). */
  wallDecodeTicks = new Float64Array(0);
  durationTicks = new Uint32Array(0);
  compositionOffsetTicks = new Int32Array(0);
  sizeBytes = new Uint32Array(0);
  isSync = new Uint8Array(0);
  fileIndex = new Uint32Array(0);
  fileOffset = new Float64Array(0);
  /** Ordinal of the segment the sample comes from (in the plan's segment order). */
  segment = new Uint32Array(0);

  constructor(initialCapacity = 1024) {
    this.grow(initialCapacity);
  }

  push(
    wallDecodeTicks: number,
    durationTicks: number,
    compositionOffsetTicks: number,
    sizeBytes: number,
    isSync: boolean,
    fileIndex: number,
    fileOffset: number,
    segment: number,
  ): void {
    if (this.count === this.sizeBytes.length) this.grow(this.count * 2);
    const i = this.count++;
    this.wallDecodeTicks[i] = wallDecodeTicks;
    this.durationTicks[i] = durationTicks;
    this.compositionOffsetTicks[i] = compositionOffsetTicks;
    this.sizeBytes[i] = sizeBytes;
    this.isSync[i] = isSync ? 1 : 0;
    this.fileIndex[i] = fileIndex;
    this.fileOffset[i] = fileOffset;
    this.segment[i] = segment;
  }

  /** Makes room for `more` samples at once, so pushes inside a run never resize. */
  reserve(more: number): void {
    const needed = this.count + more;
    if (needed > this.sizeBytes.length) this.grow(Math.max(needed, this.sizeBytes.length * 2));
  }

  private grow(capacity: number): void {
    const n = Math.max(capacity, 16);
    this.wallDecodeTicks = resized(this.wallDecodeTicks, new Float64Array(n));
    this.durationTicks = resized(this.durationTicks, new Uint32Array(n));
    this.compositionOffsetTicks = resized(this.compositionOffsetTicks, new Int32Array(n));
    this.sizeBytes = resized(this.sizeBytes, new Uint32Array(n));
    this.isSync = resized(this.isSync, new Uint8Array(n));
    this.fileIndex = resized(this.fileIndex, new Uint32Array(n));
    this.fileOffset = resized(this.fileOffset, new Float64Array(n));
    this.segment = resized(this.segment, new Uint32Array(n));
  }
}

type Column = Float64Array | Uint32Array | Int32Array | Uint8Array;

function resized<T extends Column>(old: T, next: T): T {
  next.set(old);
  return next;
}
