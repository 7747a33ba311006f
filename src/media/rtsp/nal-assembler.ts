/**
 * Builds one access unit as 4-byte length-prefixed NAL units (the form the
 * fMP4 writer stores, so the recorder converts nothing), copying each RTP
 * payload in as it arrives: the socket's read buffer is reused for the next
 * read. The assembly buffer is kept from one access unit to the next; `take()`
 * hands out an exact-size copy that the receiver owns until it releases it,
 * cut from reusable 1 MiB slabs (slab-allocator.ts: the recorder releases an
 * access unit once the fragment holding it is written, and the slab is used
 * again).
 */
import { SlabAllocator, type OwnedBytes } from '../slab-allocator.js';

const LENGTH_BYTES = 4;
/** The S and E bits of an FU header, the same in RFC 6184 (FU-A) and RFC 7798 (FU). */
const FU_START = 0x80;
const FU_END = 0x40;
/**
 * 2 s of a 4 Mbit/s camera: about one fragment in flight and one being
 * filled. Access units over a quarter of this (keyframes of 4K cameras) get a
 * buffer of their own.
 */
const SLAB_BYTES = 1 << 20;
const FREE_SLABS = 2;

export class NalAssembler {
  private buffer = Buffer.allocUnsafeSlow(256 * 1024);
  private used = 0;
  /** Offsets of each NAL unit's length field. */
  private readonly starts: number[] = [];
  /** The length field of the fragmented NAL unit being filled, or -1. */
  private fragmentAt = -1;
  private readonly units = new SlabAllocator({ slabBytes: SLAB_BYTES, maxFreeSlabs: FREE_SLABS });

  get empty(): boolean {
    return this.starts.length === 0;
  }

  /** A whole NAL unit: data[start, end). */
  add(data: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.dropFragment();
    this.open();
    this.append(data, start, end);
    this.close(this.starts[this.starts.length - 1]!);
  }

  /**
   * The NAL units of an aggregation packet's body, data[start, end): each
   * behind a 16-bit size (STAP-A, RFC 6184 §5.7.1; AP, RFC 7798 §4.4.2).
   */
  addAggregated(data: Buffer, start: number, end: number): void {
    for (let at = start; at + 2 <= end;) {
      const size = data.readUInt16BE(at);
      at += 2;
      if (at + size > end) return;
      this.add(data, at, at + size);
      at += size;
    }
  }

  /**
   * One fragmentation unit: its FU header, the NAL header it rebuilds
   * (`headerBytes` of `header`, used when it starts a NAL unit) and its
   * payload data[start, end). A part whose start was lost is dropped.
   */
  addFragment(fuHeader: number, header: number, headerBytes: 1 | 2, data: Buffer, start: number, end: number): void {
    if ((fuHeader & FU_START) !== 0) this.startFragment(header, headerBytes, data, start, end);
    else if (this.fragmentAt >= 0) this.append(data, start, end);
    else return;
    if ((fuHeader & FU_END) !== 0) this.endFragment();
  }

  /** The first part of a fragmented NAL unit: its rebuilt header (`headerBytes` of `header`, big-endian), then data[start, end). */
  private startFragment(header: number, headerBytes: 1 | 2, data: Buffer, start: number, end: number): void {
    this.dropFragment();
    this.fragmentAt = this.open();
    this.reserve(headerBytes);
    if (headerBytes === 2) this.buffer[this.used++] = header >> 8;
    this.buffer[this.used++] = header & 0xff;
    this.append(data, start, end);
  }

  private endFragment(): void {
    if (this.fragmentAt < 0) return;
    this.close(this.fragmentAt);
    this.fragmentAt = -1;
  }

  /** Drops a fragmented NAL unit that is still open (a part was lost). */
  dropFragment(): void {
    if (this.fragmentAt < 0) return;
    this.used = this.fragmentAt;
    this.starts.pop();
    this.fragmentAt = -1;
  }

  /** Visits each complete NAL unit: the buffer, where the unit starts (after its length) and its length. */
  forEach(visit: (buffer: Buffer, start: number, length: number) => void): void {
    for (const at of this.starts) {
      if (at === this.fragmentAt) continue;
      visit(this.buffer, at + LENGTH_BYTES, this.buffer.readUInt32BE(at));
    }
  }

  /** The access unit (complete NAL units only), owned by the caller until released, and a reset. */
  take(): OwnedBytes {
    this.dropFragment();
    const unit = this.units.copy(this.buffer.subarray(0, this.used));
    this.clear();
    return unit;
  }

  clear(): void {
    this.used = 0;
    this.starts.length = 0;
    this.fragmentAt = -1;
  }

  private open(): number {
    this.reserve(LENGTH_BYTES);
    const at = this.used;
    this.starts.push(at);
    this.used += LENGTH_BYTES;
    return at;
  }

  private close(at: number): void {
    this.buffer.writeUInt32BE(this.used - at - LENGTH_BYTES, at);
  }

  private append(data: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    // TypedArray#set: Buffer#copy makes the same view internally, after more checks.
    this.buffer.set(data.subarray(start, end), this.used);
    this.used += end - start;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
