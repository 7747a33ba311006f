import { VigilError } from '../../errors.js';

/** Bytes of the length prefix MP4 samples carry before each NAL unit (lengthSizeMinusOne = 3). */
export const NAL_LENGTH_BYTES = 4;

/** Whether an access unit starts with an Annex B start code (00 00 01 or 00 00 00 01). */
export function isAnnexB(data: Uint8Array): boolean {
  if (data.length >= 3 && data[0] === 0 && data[1] === 0 && data[2] === 1) return true;
  return data.length >= 4 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 1;
}

/**
 * The NAL units of an Annex B byte stream, without start codes, as views into `data`.
 * Zero bytes before a start code (trailing_zero_8bits, or the 4-byte form's extra zero) are dropped.
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let nalStart = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (nalStart >= 0) pushTrimmed(units, data, nalStart, i);
      i += 3;
      nalStart = i;
    } else if (data[i + 2]! > 1) {
      i += 3; // no start code can begin at i, i+1 or i+2
    } else {
      i += 1;
    }
  }
  if (nalStart >= 0) pushTrimmed(units, data, nalStart, data.length);
  return units;
}

function pushTrimmed(units: Uint8Array[], data: Uint8Array, start: number, end: number): void {
  let e = end;
  while (e > start && data[e - 1] === 0) e--;
  if (e > start) units.push(data.subarray(start, e));
}

/** NAL units joined with 4-byte big-endian lengths: the MP4 sample format. */
export function joinLengthPrefixed(units: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(units.reduce((n, u) => n + NAL_LENGTH_BYTES + u.length, 0));
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const u of units) {
    view.setUint32(pos, u.length);
    out.set(u, pos + NAL_LENGTH_BYTES);
    pos += NAL_LENGTH_BYTES + u.length;
  }
  return out;
}

/** An Annex B access unit as an MP4 sample: every start code replaced by the NAL unit's length. */
export function annexBToLengthPrefixed(data: Uint8Array): Uint8Array {
  return joinLengthPrefixed(splitAnnexB(data));
}

/** The NAL units of an MP4 sample, as views into `data`. */
export function splitLengthPrefixed(data: Uint8Array, lengthBytes = NAL_LENGTH_BYTES): Uint8Array[] {
  const units: Uint8Array[] = [];
  let pos = 0;
  while (pos + lengthBytes <= data.length) {
    let len = 0;
    for (let i = 0; i < lengthBytes; i++) len = len * 256 + data[pos + i]!;
    pos += lengthBytes;
    if (pos + len > data.length) {
      throw new VigilError(
        'MEDIA_INVALID',
        `NAL unit of ${len} bytes runs past the end of a ${data.length}-byte sample`,
      );
    }
    units.push(data.subarray(pos, pos + len));
    pos += len;
  }
  return units;
}

/** An MP4 sample as Annex B, with 4-byte start codes. */
export function lengthPrefixedToAnnexB(data: Uint8Array, lengthBytes = NAL_LENGTH_BYTES): Uint8Array {
  const units = splitLengthPrefixed(data, lengthBytes);
  const out = new Uint8Array(units.reduce((n, u) => n + 4 + u.length, 0));
  let pos = 0;
  for (const u of units) {
    out[pos + 3] = 1;
    out.set(u, pos + 4);
    pos += 4 + u.length;
  }
  return out;
}
