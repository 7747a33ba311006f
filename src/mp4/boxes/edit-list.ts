/**
 * EditBox / EditListBox (ISO/IEC 14496-12 8.6.5, 8.6.6): how a track's media
 * timeline maps onto the presentation. Exports use it to hide the pre-roll
 * before the first shown frame and, with gaps kept, to hold real time over a
 * gap with an empty edit.
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { ELST_MEDIA_RATE_ONE, I32_MAX, U32_MAX } from '../flags.js';
import { fourcc } from '../fourcc.js';

export interface ElstEntry {
  /** In the movie timescale (mvhd). */
  segmentDuration: number;
  /** In the track's media timescale; −1 (`ELST_EMPTY_MEDIA_TIME`) for an empty edit. */
  mediaTime: number;
}

const TWO_32 = 2 ** 32;

function writeI64(w: ByteWriter, v: number): void {
  const high = Math.floor(v / TWO_32);
  w.i32(high);
  w.u32(v - high * TWO_32);
}

function readI64(r: ByteReader): number {
  const high = r.i32();
  return high * TWO_32 + r.u32();
}

/** Version 1 (64-bit fields) only when a value does not fit version 0. */
export function writeElst(w: ByteWriter, entries: readonly ElstEntry[]): void {
  const wide = entries.some((e) => e.segmentDuration > U32_MAX || e.mediaTime > I32_MAX);
  w.fullBox(fourcc.elst, wide ? 1 : 0, 0, () => {
    w.u32(entries.length);
    for (const e of entries) {
      if (wide) {
        w.u64(e.segmentDuration);
        writeI64(w, e.mediaTime);
      } else {
        w.u32(e.segmentDuration);
        w.i32(e.mediaTime);
      }
      w.i16(ELST_MEDIA_RATE_ONE);
      w.i16(0); // media_rate_fraction
    }
  });
}

export function writeEdts(w: ByteWriter, entries: readonly ElstEntry[]): void {
  w.box(fourcc.edts, () => writeElst(w, entries));
}

/** The entries of an elst body (after its box header). */
export function readElst(r: ByteReader): ElstEntry[] {
  const version = r.u8();
  r.u24();
  const count = r.u32();
  const entries: ElstEntry[] = [];
  for (let i = 0; i < count; i++) {
    const segmentDuration = version === 1 ? r.u64() : r.u32();
    const mediaTime = version === 1 ? readI64(r) : r.i32();
    r.skip(4); // media rate
    entries.push({ segmentDuration, mediaTime });
  }
  return entries;
}
