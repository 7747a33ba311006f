/**
 * AAC over RTP in mpeg4-generic (RFC 3640) modes AAC-hbr/AAC-lbr: an AU header
 * section (sizelength/indexlength/indexdeltalength bits per AU), then the AUs.
 * Several AUs in one packet follow each other at 1024 samples; an AU larger
 * than a packet is fragmented over packets with one AU header each and ends
 * with the marker bit.
 */
import { VigilError } from '../../errors.js';
import type { AudioDepacketizer, AudioFrameSink } from './audio-depacketizer.js';

const SAMPLES_PER_FRAME = 1024;

export interface AacFormat {
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
  /** AudioSpecificConfig from the fmtp `config`. */
  config: Uint8Array;
}

/** The mpeg4-generic fmtp, or SOURCE_UNSUPPORTED for a mode other than AAC-hbr/lbr. */
export function aacFormatOf(fmtp: ReadonlyMap<string, string>): AacFormat {
  const mode = (fmtp.get('mode') ?? '').toLowerCase();
  const sizeLength = Number(fmtp.get('sizelength') ?? NaN);
  const config = fmtp.get('config') ?? '';
  if (
    (mode !== 'aac-hbr' && mode !== 'aac-lbr') ||
    !Number.isInteger(sizeLength) ||
    !/^([0-9a-f]{2})+$/i.test(config)
  ) {
    throw new VigilError(
      'SOURCE_UNSUPPORTED',
      `rtsp: mpeg4-generic mode ${JSON.stringify(mode)} is not AAC-hbr/AAC-lbr with a config`,
    );
  }
  return {
    sizeLength,
    indexLength: Number(fmtp.get('indexlength') ?? 0) || 0,
    indexDeltaLength: Number(fmtp.get('indexdeltalength') ?? 0) || 0,
    config: new Uint8Array(Buffer.from(config, 'hex')),
  };
}

export class AacDepacketizer implements AudioDepacketizer {
  /** Parts of an AU fragmented across packets, and its size from the AU header. */
  private fragments: Uint8Array[] = [];
  private fragmentSize = 0;
  private fragmentTicks = 0;
  private collected = 0;

  constructor(
    private readonly format: AacFormat,
    private readonly sink: AudioFrameSink,
  ) {}

  push(data: Buffer, offset: number, length: number, ticks: number, marker: boolean, lost: boolean): void {
    if (lost) this.fragments = [];
    if (length < 2) return;
    const headerBits = data.readUInt16BE(offset);
    const headerBytes = Math.ceil(headerBits / 8);
    let at = offset + 2 + headerBytes;
    const end = offset + length;
    if (at > end) return;
    const sizes = this.auSizes(data, offset + 2, headerBits);
    if (sizes.length === 1 && (this.fragments.length > 0 || at + sizes[0]! > end)) {
      // A fragment of one large AU (each fragment repeats the AU header): collect until it is whole.
      if (this.fragments.length === 0) {
        this.fragmentTicks = ticks;
        this.fragmentSize = sizes[0]!;
        this.collected = 0;
      }
      this.fragments.push(new Uint8Array(data.subarray(at, end)));
      this.collected += end - at;
      if (this.collected < this.fragmentSize && !marker) return;
      const whole = Buffer.concat(this.fragments);
      this.fragments = [];
      if (whole.length === this.fragmentSize) this.sink(this.fragmentTicks, whole, SAMPLES_PER_FRAME);
      return;
    }
    this.fragments = [];
    let pts = ticks;
    for (const size of sizes) {
      if (at + size > end) return;
      this.sink(pts, new Uint8Array(data.subarray(at, at + size)), SAMPLES_PER_FRAME);
      at += size;
      pts += SAMPLES_PER_FRAME;
    }
  }

  /** AU sizes from the header section (indexes are ignored: AUs come in order over TCP). */
  private auSizes(data: Buffer, start: number, headerBits: number): number[] {
    const { sizeLength, indexLength, indexDeltaLength } = this.format;
    const sizes: number[] = [];
    let bit = 0;
    while (bit + sizeLength <= headerBits) {
      sizes.push(readBits(data, start, bit, sizeLength));
      bit += sizeLength + (sizes.length === 1 ? indexLength : indexDeltaLength);
    }
    return sizes;
  }
}

function readBits(data: Buffer, start: number, bitOffset: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const bit = bitOffset + i;
    value = value * 2 + ((data[start + (bit >> 3)]! >> (7 - (bit & 7))) & 1);
  }
  return value;
}
