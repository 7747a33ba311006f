/**
 * Sample-table boxes written straight from a selection's typed-array columns
 * (one pass, no per-sample objects): an hour is ~260 k samples.
 */
import type { ByteWriter } from '../mp4/byte-writer.js';
import { fourcc } from '../mp4/fourcc.js';
import type { TrackSamples } from './types.js';

/** Typed arrays use the host's byte order; MP4 fields are big-endian. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A 32-bit value with its bytes in MP4 order, for storing in a Uint32Array row buffer. */
function be32(v: number): number {
  if (!HOST_IS_LITTLE_ENDIAN) return v;
  return ((v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/**
 * A table's rows are built in a Uint32Array of their own and copied into the box at once:
 * ByteWriter's per-field calls cost several times more over the millions of rows of a day.
 */
function writeRows(w: ByteWriter, entryCount: number, rows: Uint32Array): void {
  w.u32(entryCount);
  w.bytes(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
}

/** The same 32 bits, unsigned: run-length coding and big-endian output only look at the bits. */
function bitsOf(values: Int32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Number of runs of equal values (the entries of a run-length coded table). */
function runCount(values: Uint32Array): number {
  let runs = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) runs++;
  return runs;
}

/** (run length, value) rows. */
function runLengthRows(values: Uint32Array, entries: number): Uint32Array {
  const rows = new Uint32Array(entries * 2);
  let at = 0;
  let i = 0;
  while (i < values.length) {
    const value = values[i]!;
    let run = 1;
    while (i + run < values.length && values[i + run] === value) run++;
    rows[at++] = be32(run);
    rows[at++] = be32(value);
    i += run;
  }
  return rows;
}

/** stts, run-length coded. */
export function writeSttsColumns(w: ByteWriter, durations: Uint32Array): void {
  w.fullBox(fourcc.stts, 0, 0, () => {
    const entries = runCount(durations);
    writeRows(w, entries, runLengthRows(durations, entries));
  });
}

/** ctts, only when some offset is not 0; version 1 (signed) when some offset is negative. */
export function writeCttsColumns(w: ByteWriter, offsets: Int32Array): void {
  let allZero = true;
  let signed = false;
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i]!;
    if (o !== 0) allZero = false;
    if (o < 0) {
      signed = true;
      break;
    }
  }
  if (allZero) return;
  w.fullBox(fourcc.ctts, signed ? 1 : 0, 0, () => {
    // A signed offset's bits, written as they are, are its two's-complement field.
    const bits = bitsOf(offsets);
    const entries = runCount(bits);
    writeRows(w, entries, runLengthRows(bits, entries));
  });
}

/** stss, only when some sample is not a sync sample (no stss means all are). */
export function writeStssColumns(w: ByteWriter, isSync: Uint8Array): void {
  let entries = 0;
  for (let i = 0; i < isSync.length; i++) if (isSync[i] === 1) entries++;
  if (entries === isSync.length) return;
  w.fullBox(fourcc.stss, 0, 0, () => {
    const rows = new Uint32Array(entries);
    for (let i = 0, at = 0; i < isSync.length; i++) if (isSync[i] === 1) rows[at++] = be32(i + 1);
    writeRows(w, entries, rows);
  });
}

export function writeStszColumns(w: ByteWriter, sizes: Uint32Array): void {
  w.fullBox(fourcc.stsz, 0, 0, () => {
    w.u32(0); // sample_size: sizes follow
    const rows = new Uint32Array(sizes.length);
    for (let i = 0; i < sizes.length; i++) rows[i] = be32(sizes[i]!);
    writeRows(w, sizes.length, rows);
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
  const files = track.fileIndex;
  const offsets = track.fileOffset;
  const sizes = track.sizeBytes;
  // Count first, so the columns are allocated at their size (an hour has ~1/50 as many chunks as samples).
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || files[i] !== files[i - 1] || offsets[i - 1]! + sizes[i - 1]! !== offsets[i]) count++;
  }
  const firstSample = new Uint32Array(count);
  const sampleCount = new Uint32Array(count);
  const fileIndex = new Uint32Array(count);
  const fileOffset = new Float64Array(count);
  const sizeBytes = new Float64Array(count);
  let c = -1;
  for (let i = 0; i < n; i++) {
    const size = sizes[i]!;
    if (i === 0 || files[i] !== files[i - 1] || offsets[i - 1]! + sizes[i - 1]! !== offsets[i]) {
      c++;
      firstSample[c] = i;
      fileIndex[c] = files[i]!;
      fileOffset[c] = offsets[i]!;
    }
    sampleCount[c]! += 1;
    sizeBytes[c]! += size;
  }
  return { count, firstSample, sampleCount, fileIndex, fileOffset, sizeBytes };
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

/** Writes each chunk's offset in the output: its offset inside the mdat payload plus where the payload starts. */
export function patchChunkOffsets(
  w: ByteWriter,
  at: number,
  relativeOffsets: Float64Array,
  payloadStart: number,
  wide: boolean,
): void {
  for (let c = 0; c < relativeOffsets.length; c++) {
    const v = relativeOffsets[c]! + payloadStart;
    if (wide) {
      const high = Math.floor(v / TWO_32);
      w.patchU32(at + c * 8, high);
      w.patchU32(at + c * 8 + 4, v - high * TWO_32);
    } else {
      w.patchU32(at + c * 4, v);
    }
  }
}
