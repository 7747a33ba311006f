import { VigilError } from '../../errors.js';

/** Bytes of the length prefix MP4 samples carry before each NAL unit (lengthSizeMinusOne = 3). */
export const NAL_LENGTH_BYTES = 4;

const START_CODE = Buffer.from([0, 0, 1]);

/** Whether an access unit starts with an Annex B start code (00 00 01 or 00 00 00 01). */
export function isAnnexB(data: Uint8Array): boolean {
  if (data.length >= 3 && data[0] === 0 && data[1] === 0 && data[2] === 1) return true;
  return data.length >= 4 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 1;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Unit boundaries of an Annex B byte stream, as flat [start, end) pairs into a
 * scratch array reused across calls (the recorder runs this once per video
 * packet, so it must not allocate per NAL unit). Zero bytes before a start code
 * (trailing_zero_8bits, or the 4-byte form's extra zero) are left out; empty
 * units are skipped. The native `Buffer.indexOf` does the byte search.
 */
let scratch = new Int32Array(64);

function scanUnits(data: Uint8Array): number {
  const buf = asBuffer(data);
  let count = 0;
  let nalStart = -1;
  let from = 0;
  for (;;) {
    const code = buf.indexOf(START_CODE, from);
    const end = code < 0 ? buf.length : code;
    if (nalStart >= 0) {
      let e = end;
      while (e > nalStart && buf[e - 1] === 0) e--;
      if (e > nalStart) {
        if (count + 2 > scratch.length) {
          const grown = new Int32Array(scratch.length * 2);
          grown.set(scratch);
          scratch = grown;
        }
        scratch[count++] = nalStart;
        scratch[count++] = e;
      }
    }
    if (code < 0) return count;
    nalStart = code + START_CODE.length;
    from = nalStart;
  }
}

/**
 * The NAL units of an Annex B byte stream, without start codes, as views into `data`.
 * Zero bytes before a start code (trailing_zero_8bits, or the 4-byte form's extra zero) are dropped.
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const count = scanUnits(data);
  const units: Uint8Array[] = [];
  for (let i = 0; i < count; i += 2) units.push(data.subarray(scratch[i], scratch[i + 1]));
  return units;
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
  return convertUnits(data, scanUnits(data), false);
}

/**
 * Like `annexBToLengthPrefixed`, but may rewrite `data` itself and return it:
 * when every unit sits behind a 4-byte start code with nothing else between
 * units (what FFmpeg's RTP and MPEG-TS demuxers give), each start code is
 * overwritten by its unit's length and no byte is copied. Otherwise a new
 * array is returned and `data` is left as it was. For callers that own `data`.
 */
export function annexBToLengthPrefixedInPlace(data: Uint8Array): Uint8Array {
  return convertUnits(data, scanUnits(data), true);
}

function convertUnits(data: Uint8Array, count: number, inPlace: boolean): Uint8Array {
  if (inPlace && fitsInPlace(data, count)) {
    for (let i = 0; i < count; i += 2) writeLength(data, scratch[i]! - NAL_LENGTH_BYTES, scratch[i + 1]! - scratch[i]!);
    return data;
  }
  let total = 0;
  for (let i = 0; i < count; i += 2) total += NAL_LENGTH_BYTES + scratch[i + 1]! - scratch[i]!;
  const out = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < count; i += 2) {
    const start = scratch[i]!;
    const end = scratch[i + 1]!;
    writeLength(out, pos, end - start);
    out.set(data.subarray(start, end), pos + NAL_LENGTH_BYTES);
    pos += NAL_LENGTH_BYTES + end - start;
  }
  return out;
}

/** Units back to back, each behind exactly 4 bytes of start code, and nothing after the last. */
function fitsInPlace(data: Uint8Array, count: number): boolean {
  if (count === 0) return false;
  let expected = NAL_LENGTH_BYTES;
  for (let i = 0; i < count; i += 2) {
    if (scratch[i] !== expected) return false;
    expected = scratch[i + 1]! + NAL_LENGTH_BYTES;
  }
  return scratch[count - 1] === data.length && data[0] === 0;
}

function writeLength(out: Uint8Array, pos: number, length: number): void {
  out[pos] = length >>> 24;
  out[pos + 1] = (length >>> 16) & 0xff;
  out[pos + 2] = (length >>> 8) & 0xff;
  out[pos + 3] = length & 0xff;
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
