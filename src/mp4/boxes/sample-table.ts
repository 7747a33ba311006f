import type { ByteWriter } from '../byte-writer.js';
import { fourcc } from '../fourcc.js';

/** Run-length decode deltas: `sampleCount` samples each lasting `sampleDelta` ticks. */
export interface SttsEntry {
  sampleCount: number;
  sampleDelta: number;
}

export interface CttsEntry {
  sampleCount: number;
  /** Signed (ctts version 1). */
  sampleOffset: number;
}

export interface StscEntry {
  firstChunk: number;
  samplesPerChunk: number;
  sampleDescriptionIndex: number;
}

export function writeStts(w: ByteWriter, entries: SttsEntry[]): void {
  w.fullBox(fourcc.stts, 0, 0, () => {
    w.u32(entries.length);
    for (const e of entries) {
      w.u32(e.sampleCount);
      w.u32(e.sampleDelta);
    }
  });
}

export function writeCtts(w: ByteWriter, entries: CttsEntry[]): void {
  w.fullBox(fourcc.ctts, 1, 0, () => {
    w.u32(entries.length);
    for (const e of entries) {
      w.u32(e.sampleCount);
      w.i32(e.sampleOffset);
    }
  });
}

/** Sync sample numbers, 1-based. */
export function writeStss(w: ByteWriter, sampleNumbers: number[]): void {
  w.fullBox(fourcc.stss, 0, 0, () => {
    w.u32(sampleNumbers.length);
    for (const n of sampleNumbers) w.u32(n);
  });
}

export function writeStsc(w: ByteWriter, entries: StscEntry[]): void {
  w.fullBox(fourcc.stsc, 0, 0, () => {
    w.u32(entries.length);
    for (const e of entries) {
      w.u32(e.firstChunk);
      w.u32(e.samplesPerChunk);
      w.u32(e.sampleDescriptionIndex);
    }
  });
}

/** Per-sample sizes (sample_size = 0, then one row per sample). */
export function writeStsz(w: ByteWriter, sizes: number[]): void {
  w.fullBox(fourcc.stsz, 0, 0, () => {
    w.u32(0);
    w.u32(sizes.length);
    for (const s of sizes) w.u32(s);
  });
}

export function writeStco(w: ByteWriter, chunkOffsets: number[]): void {
  w.fullBox(fourcc.stco, 0, 0, () => {
    w.u32(chunkOffsets.length);
    for (const o of chunkOffsets) w.u32(o);
  });
}

export function writeCo64(w: ByteWriter, chunkOffsets: number[]): void {
  w.fullBox(fourcc.co64, 0, 0, () => {
    w.u32(chunkOffsets.length);
    for (const o of chunkOffsets) w.u64(o);
  });
}
