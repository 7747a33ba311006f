/**
 * Sample-table boxes written straight from a selection's typed-array columns
 * (one pass, no per-sample objects): an hour is ~260 k samples.
 */
import type { ByteWriter } from '../mp4/byte-writer.js';
import { fourcc } from '../mp4/fourcc.js';
import type { TrackSamples } from './types.js';

/** stts, run-length coded. */
export function writeSttsColumns(w: ByteWriter, durations: Uint32Array): void {
  w.fullBox(fourcc.stts, 0, 0, () => {
    const countAt = w.position;
    w.u32(0);
    let entries = 0;
    let i = 0;
    while (i < durations.length) {
      const delta = durations[i]!;
      let run = 1;
      while (i + run < durations.length && durations[i + run] === delta) run++;
      w.u32(run);
      w.u32(delta);
      entries++;
      i += run;
    }
    w.patchU32(countAt, entries);
  });
}

/** ctts, only when some offset is not 0; version 1 (signed) when some offset is negative. */
export function writeCttsColumns(w: ByteWriter, offsets: Int32Array): void {
  if (offsets.every((o) => o === 0)) return;
  const signed = offsets.some((o) => o < 0);
  w.fullBox(fourcc.ctts, signed ? 1 : 0, 0, () => {
    const countAt = w.position;
    w.u32(0);
    let entries = 0;
    let i = 0;
    while (i < offsets.length) {
      const offset = offsets[i]!;
      let run = 1;
      while (i + run < offsets.length && offsets[i + run] === offset) run++;
      w.u32(run);
      if (signed) w.i32(offset);
      else w.u32(offset);
      entries++;
      i += run;
    }
    w.patchU32(countAt, entries);
  });
}

/** stss, only when some sample is not a sync sample (no stss means all are). */
export function writeStssColumns(w: ByteWriter, isSync: Uint8Array): void {
  if (isSync.every((s) => s === 1)) return;
  w.fullBox(fourcc.stss, 0, 0, () => {
    const countAt = w.position;
    w.u32(0);
    let entries = 0;
    for (let i = 0; i < isSync.length; i++) {
      if (isSync[i] !== 1) continue;
      w.u32(i + 1);
      entries++;
    }
    w.patchU32(countAt, entries);
  });
}

export function writeStszColumns(w: ByteWriter, sizes: Uint32Array): void {
  w.fullBox(fourcc.stsz, 0, 0, () => {
    w.u32(0); // sample_size: sizes follow
    w.u32(sizes.length);
    for (let i = 0; i < sizes.length; i++) w.u32(sizes[i]!);
  });
}

/**
 * A track's chunks: runs of consecutive samples that are contiguous in one
 * segment file, so one chunk is one file slice in the output.
 */
export interface TrackChunks {
  count: number;
  firstSample: Uint32Array;
  sampleCount: Uint32Array;
  fileIndex: Uint32Array;
  fileOffset: Float64Array;
  sizeBytes: Float64Array;
}

export function chunksOf(track: TrackSamples): TrackChunks {
  const n = track.count;
  const firstSample = new Uint32Array(n);
  const sampleCount = new Uint32Array(n);
  const fileIndex = new Uint32Array(n);
  const fileOffset = new Float64Array(n);
  const sizeBytes = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const file = track.fileIndex[i]!;
    const offset = track.fileOffset[i]!;
    const size = track.sizeBytes[i]!;
    const c = count - 1;
    if (c >= 0 && fileIndex[c] === file && fileOffset[c]! + sizeBytes[c]! === offset) {
      sampleCount[c]! += 1;
      sizeBytes[c]! += size;
      continue;
    }
    firstSample[count] = i;
    sampleCount[count] = 1;
    fileIndex[count] = file;
    fileOffset[count] = offset;
    sizeBytes[count] = size;
    count++;
  }
  return {
    count,
    firstSample: firstSample.subarray(0, count),
    sampleCount: sampleCount.subarray(0, count),
    fileIndex: fileIndex.subarray(0, count),
    fileOffset: fileOffset.subarray(0, count),
    sizeBytes: sizeBytes.subarray(0, count),
  };
}

/** stsc, run-length coded over chunks with the same sample count; every chunk uses sample entry 1. */
export function writeStscColumns(w: ByteWriter, chunks: TrackChunks): void {
  w.fullBox(fourcc.stsc, 0, 0, () => {
    const countAt = w.position;
    w.u32(0);
    let entries = 0;
    for (let c = 0; c < chunks.count; c++) {
      if (c > 0 && chunks.sampleCount[c] === chunks.sampleCount[c - 1]) continue;
      w.u32(c + 1);
      w.u32(chunks.sampleCount[c]!);
      w.u32(1);
      entries++;
    }
    w.patchU32(countAt, entries);
  });
}

/**
 * stco (or co64 when `wide`) with zeroed entries; returns where the first entry sits so the
 * caller patches the real offsets once the moov's size (and so the mdat's place) is known.
 */
export function writeChunkOffsetPlaceholders(w: ByteWriter, chunkCount: number, wide: boolean): number {
  let at = 0;
  w.fullBox(wide ? fourcc.co64 : fourcc.stco, 0, 0, () => {
    w.u32(chunkCount);
    at = w.position;
    w.zeros(chunkCount * (wide ? 8 : 4));
  });
  return at;
}

const TWO_32 = 2 ** 32;

export function patchChunkOffsets(w: ByteWriter, at: number, offsets: Float64Array, wide: boolean): void {
  for (let c = 0; c < offsets.length; c++) {
    const v = offsets[c]!;
    if (wide) {
      const high = Math.floor(v / TWO_32);
      w.patchU32(at + c * 8, high);
      w.patchU32(at + c * 8 + 4, v - high * TWO_32);
    } else {
      w.patchU32(at + c * 4, v);
    }
  }
}
