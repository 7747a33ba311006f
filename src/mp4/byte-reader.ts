import { VigilError } from '../errors.js';

/**
 * A big-endian reader over one box body (or any slice). Reading past the end is a
 * MEDIA_INVALID error that names the box, never a silent zero.
 */
export class ByteReader {
  private readonly view: DataView;
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    /** What is being read, for error messages (`trun`, `avcC`). */
    private readonly what = 'box',
    start = 0,
    private readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number {
    const hi = this.u8();
    return hi * 65536 + this.u16();
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Refuses values above 2^53 rather than returning a rounded number. */
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new VigilError('MEDIA_INVALID', `${this.what}: 64-bit value ${v} is larger than 2^53`);
    }
    return Number(v);
  }

  fourcc(): string {
    this.need(4);
    let s = '';
    for (let i = 0; i < 4; i++) s += String.fromCharCode(this.buf[this.pos + i] ?? 0);
    this.pos += 4;
    return s;
  }

  /** A view (not a copy) of the next `count` bytes. */
  bytes(count: number): Uint8Array {
    this.need(count);
    const out = this.buf.subarray(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  skip(count: number): void {
    this.need(count);
    this.pos += count;
  }

  private need(count: number): void {
    if (this.pos + count > this.end) {
      throw new VigilError('MEDIA_INVALID', `${this.what}: truncated (needs ${count} more bytes at ${this.pos})`);
    }
  }
}
