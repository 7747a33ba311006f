/**
 * Builds one access unit as 4-byte length-prefixed NAL units (the form the
 * fMP4 writer stores, so the recorder converts nothing), copying each RTP
 * payload in as it arrives: the socket's read buffer is reused for the next
 * read. The assembly buffer is kept from one access unit to the next; `take()`
 * hands out an exact-size copy that the receiver owns, cut from a slab of
 * 1 MiB so that the garbage collector sees one buffer every few seconds
 * instead of 25 a second (a slab is freed once the recorder has written
 * every access unit in it, a fragment or two later).
 */

const LENGTH_BYTES = 4;
/** The S and E bits of an FU header, the same in RFC 6184 (FU-A) and RFC 7798 (FU). */
const FU_START = 0x80;
const FU_END = 0x40;
const SLAB_BYTES = 1 << 20;
/** Larger access units (big keyframes) get a buffer of their own. */
const SLAB_MAX_UNIT = SLAB_BYTES / 4;

export class NalAssembler {
  private buffer = Buffer.allocUnsafeSlow(256 * 1024);
  private used = 0;
  /** Offsets of each NAL unit's length field. */
  private readonly starts: number[] = [];
  /** The length field of the fragmented NAL unit being filled, or -1. */
  private fragmentAt = -1;
  private slab = Buffer.allocUnsafeSlow(0);
  private slabUsed = 0;

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

  /** The access unit (complete NAL units only), and a reset. */
  take(): Buffer {
    this.dropFragment();
    const size = this.used;
    let out: Buffer;
    if (size > SLAB_MAX_UNIT) {
      out = Buffer.allocUnsafeSlow(size);
    } else {
      if (this.slabUsed + size > this.slab.length) {
        this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
        this.slabUsed = 0;
      }
      out = this.slab.subarray(this.slabUsed, this.slabUsed + size);
      // 8-byte alignment keeps each unit's start on a word, as allocators do.
      this.slabUsed += (size + 7) & ~7;
    }
    out.set(this.buffer.subarray(0, size));
    this.clear();
    return out;
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
