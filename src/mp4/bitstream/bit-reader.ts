import { VigilError } from '../../errors.js';

/**
 * Drops emulation-prevention bytes (the 03 in 00 00 03) so the RBSP can be read bit by bit.
 * Returns `nal` itself when there is nothing to drop.
 */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  let zeros = 0;
  let firstEscape = -1;
  for (let i = 0; i < nal.length; i++) {
    if (zeros >= 2 && nal[i] === 3) {
      firstEscape = i;
      break;
    }
    zeros = nal[i] === 0 ? zeros + 1 : 0;
  }
  if (firstEscape < 0) return nal;
  const out = new Uint8Array(nal.length);
  let n = 0;
  zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}

/** Reads an RBSP MSB first, with Exp-Golomb codes (H.264 / H.265 clause 9.1). */
export class BitReader {
  private bitPos = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {}

  bit(): number {
    const byte = this.data[this.bitPos >> 3];
    if (byte === undefined) throw new VigilError('MEDIA_INVALID', `${this.what}: ended early`);
    const b = (byte >> (7 - (this.bitPos & 7))) & 1;
    this.bitPos++;
    return b;
  }

  /** Up to 32 bits, unsigned. */
  bits(count: number): number {
    let v = 0;
    for (let i = 0; i < count; i++) v = v * 2 + this.bit();
    return v;
  }

  skip(count: number): void {
    for (let i = 0; i < count; i++) this.bit();
  }

  /** ue(v) */
  ue(): number {
    let leadingZeros = 0;
    while (this.bit() === 0) {
      leadingZeros++;
      if (leadingZeros > 31) throw new VigilError('MEDIA_INVALID', `${this.what}: Exp-Golomb code too long`);
    }
    return 2 ** leadingZeros - 1 + this.bits(leadingZeros);
  }

  /** se(v) */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
