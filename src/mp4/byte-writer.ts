import { VigilError } from '../errors.js';
import { U32_MAX } from './flags.js';
import type { FourCC } from './fourcc.js';

const BOX_HEADER_BYTES = 8;
const LARGESIZE_EXTRA_BYTES = 8;
/** A `size` field of 1 says the real size follows the type as a 64-bit largesize. */
const SIZE_IS_LARGESIZE = 1;

/**
 * A growable big-endian writer. Box code reads like the spec's field list; the box
 * header (size, type, largesize, version and flags) is written here and nowhere else.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 512) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  get position(): number {
    return this.pos;
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }

  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  i16(v: number): void {
    this.reserve(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }

  u24(v: number): void {
    this.u8((v >>> 16) & 255);
    this.u16(v & 65535);
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** Refuses values a JS number cannot hold exactly, instead of silently rounding them. */
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new VigilError('INTERNAL', `u64: ${v} is not an integer in [0, 2^53)`);
    }
    this.reserve(8);
    this.view.setBigUint64(this.pos, BigInt(v));
    this.pos += 8;
  }

  /** Four characters, each one byte (latin1, so `©nam` works). */
  fourcc(type: FourCC | string): void {
    if (type.length !== 4) throw new VigilError('INTERNAL', `fourcc: "${type}" is not four characters`);
    for (let i = 0; i < 4; i++) {
      const c = type.charCodeAt(i);
      if (c > 255) throw new VigilError('INTERNAL', `fourcc: "${type}" has a character outside latin1`);
      this.u8(c);
    }
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  zeros(count: number): void {
    this.reserve(count);
    this.buf.fill(0, this.pos, this.pos + count);
    this.pos += count;
  }

  /** A box: size placeholder, type, body, then the size is back-patched. */
  box(type: FourCC | string, body: () => void): void {
    const start = this.pos;
    this.u32(0);
    this.fourcc(type);
    body();
    this.patchBoxSize(start);
  }

  /** A full box: like `box`, with the version byte and 24 flag bits before the body. */
  fullBox(type: FourCC | string, version: number, flags: number, body: () => void): void {
    this.box(type, () => {
      this.u8(version);
      this.u24(flags);
      body();
    });
  }

  /** Overwrites a u32 written earlier (e.g. a trun data offset known only once the moof is done). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  patchI32(at: number, v: number): void {
    this.view.setInt32(at, v);
  }

  /** The bytes written so far, as a copy the caller owns. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private patchBoxSize(start: number): void {
    const size = this.pos - start;
    if (size <= U32_MAX) {
      this.view.setUint32(start, size);
      return;
    }
    // Too big for 32 bits: make room for the largesize after the type and move the body up.
    this.reserve(LARGESIZE_EXTRA_BYTES);
    const bodyStart = start + BOX_HEADER_BYTES;
    this.buf.copyWithin(bodyStart + LARGESIZE_EXTRA_BYTES, bodyStart, this.pos);
    this.pos += LARGESIZE_EXTRA_BYTES;
    this.view.setUint32(start, SIZE_IS_LARGESIZE);
    this.view.setBigUint64(bodyStart, BigInt(size + LARGESIZE_EXTRA_BYTES));
  }

  private reserve(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
