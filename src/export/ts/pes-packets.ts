/**
 * PES headers and their split into 188-byte packets. A PES is cut into
 * packets in one fixed way (the first packet may carry a PCR, the last one is
 * padded with adaptation-field stuffing), so its packet count, and where each
 * of its bytes lands, follow from its length alone.
 */
import {
  AF_PCR,
  AF_RANDOM_ACCESS,
  AF_WITH_PCR_BYTES,
  AFC_ADAPTATION_AND_PAYLOAD,
  AFC_PAYLOAD_ONLY,
  CC_MASK,
  PAYLOAD_UNIT_START,
  PES_FIXED_HEADER_BYTES,
  PES_FLAGS_ALIGNED,
  PES_LENGTH_FIELD_END,
  PES_LENGTH_MAX,
  PES_PTS_AND_DTS,
  PES_PTS_ONLY,
  STUFFING_BYTE,
  TIMESTAMP_BYTES,
  TIMESTAMP_MODULO,
  TIMESTAMP_PREFIX_DTS,
  TIMESTAMP_PREFIX_PTS,
  TIMESTAMP_PREFIX_PTS_ONLY,
  TS_HEADER_BYTES,
  TS_PACKET_BYTES,
  TS_PAYLOAD_BYTES,
  TS_SYNC_BYTE,
} from './ts-constants.js';

/** Video PES headers always carry PTS and DTS, audio ones PTS only, so header sizes never depend on timestamps. */
export const VIDEO_PES_HEADER_BYTES = PES_FIXED_HEADER_BYTES + 2 * TIMESTAMP_BYTES;
export const AUDIO_PES_HEADER_BYTES = PES_FIXED_HEADER_BYTES + TIMESTAMP_BYTES;

/** Payload room of a PES's first packet. */
export function firstPacketRoom(withPcr: boolean): number {
  return TS_PAYLOAD_BYTES - (withPcr ? AF_WITH_PCR_BYTES : 0);
}

/** Packets a PES of `pesBytes` takes. */
export function pesPacketCount(pesBytes: number, withPcr: boolean): number {
  const room = firstPacketRoom(withPcr);
  return pesBytes <= room ? 1 : 1 + Math.ceil((pesBytes - room) / TS_PAYLOAD_BYTES);
}

/** A 33-bit 90 kHz value, wrapped the way every TS timestamp wraps (after 26.5 h). */
function wrap33(value: number): number {
  return ((value % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
}

function writeTimestamp(out: Uint8Array, at: number, prefix: number, value: number): void {
  const v = wrap33(value);
  const high = Math.floor(v / 2 ** 30);
  const mid = Math.floor(v / 2 ** 15) % 2 ** 15;
  const low = v % 2 ** 15;
  // Each part is followed by a marker bit of 1.
  out[at] = (prefix << 4) | (high << 1) | 1;
  out[at + 1] = mid >> 7;
  out[at + 2] = ((mid & 0x7f) << 1) | 1;
  out[at + 3] = low >> 7;
  out[at + 4] = ((low & 0x7f) << 1) | 1;
}

/** A PCR with a 90 kHz base and a zero 27 MHz extension (the reserved 6 bits are ones). */
function writePcr(out: Uint8Array, at: number, base90: number): void {
  const v = wrap33(base90);
  out[at] = Math.floor(v / 2 ** 25) % 256;
  out[at + 1] = Math.floor(v / 2 ** 17) % 256;
  out[at + 2] = Math.floor(v / 2 ** 9) % 256;
  out[at + 3] = Math.floor(v / 2) % 256;
  out[at + 4] = ((v % 2) << 7) | 0x7e;
  out[at + 5] = 0;
}

/**
 * Writes a PES header at the start of `out` for `payloadBytes` of payload; DTS only when given.
 * Returns the header's length.
 */
export function writePesHeader(
  out: Uint8Array,
  streamId: number,
  payloadBytes: number,
  pts: number,
  dts: number | undefined,
): number {
  const headerBytes = dts === undefined ? AUDIO_PES_HEADER_BYTES : VIDEO_PES_HEADER_BYTES;
  const pesLength = headerBytes - PES_LENGTH_FIELD_END + payloadBytes;
  out[0] = 0;
  out[1] = 0;
  out[2] = 1;
  out[3] = streamId;
  // 0 means "unbounded", which H.222.0 allows for video PES too long for the 16-bit field.
  const lengthField = pesLength <= PES_LENGTH_MAX ? pesLength : 0;
  out[4] = lengthField >> 8;
  out[5] = lengthField & 0xff;
  out[6] = PES_FLAGS_ALIGNED;
  out[7] = dts === undefined ? PES_PTS_ONLY : PES_PTS_AND_DTS;
  out[8] = headerBytes - PES_FIXED_HEADER_BYTES;
  if (dts === undefined) {
    writeTimestamp(out, PES_FIXED_HEADER_BYTES, TIMESTAMP_PREFIX_PTS_ONLY, pts);
  } else {
    writeTimestamp(out, PES_FIXED_HEADER_BYTES, TIMESTAMP_PREFIX_PTS, pts);
    writeTimestamp(out, PES_FIXED_HEADER_BYTES + TIMESTAMP_BYTES, TIMESTAMP_PREFIX_DTS, dts);
  }
  return headerBytes;
}

export interface PesPacketOptions {
  pid: number;
  /** Continuity counter of the first packet; each next packet adds one. */
  cc: number;
  /** PCR base (90 kHz) for the first packet's adaptation field, or undefined for none. */
  pcr: number | undefined;
  /** Marks the first packet as a random access point (a keyframe); only written along with a PCR. */
  randomAccess: boolean;
}

/** Cuts a whole PES into packets written at `out[pos]`; returns the bytes written. */
export function writePesPackets(out: Uint8Array, pos: number, pes: Uint8Array, opts: PesPacketOptions): number {
  const count = pesPacketCount(pes.length, opts.pcr !== undefined);
  let pesPos = 0;
  for (let k = 0; k < count; k++) {
    const p = pos + k * TS_PACKET_BYTES;
    const first = k === 0;
    const room = first ? firstPacketRoom(opts.pcr !== undefined) : TS_PAYLOAD_BYTES;
    const take = Math.min(room, pes.length - pesPos);
    const fixedAf = TS_PAYLOAD_BYTES - room;
    const afBytes = fixedAf + (room - take);
    out[p] = TS_SYNC_BYTE;
    out[p + 1] = (first ? PAYLOAD_UNIT_START : 0) | (opts.pid >> 8);
    out[p + 2] = opts.pid & 0xff;
    out[p + 3] = (afBytes > 0 ? AFC_ADAPTATION_AND_PAYLOAD : AFC_PAYLOAD_ONLY) | ((opts.cc + k) & CC_MASK);
    if (afBytes > 0) {
      writeAdaptationField(out, p + TS_HEADER_BYTES, afBytes, first ? opts.pcr : undefined, first && opts.randomAccess);
    }
    out.set(pes.subarray(pesPos, pesPos + take), p + TS_HEADER_BYTES + afBytes);
    pesPos += take;
  }
  return count * TS_PACKET_BYTES;
}

/** An adaptation field of exactly `totalBytes` (length byte included): PCR if given, then stuffing. */
function writeAdaptationField(
  out: Uint8Array,
  at: number,
  totalBytes: number,
  pcr: number | undefined,
  randomAccess: boolean,
): void {
  out[at] = totalBytes - 1;
  // A one-byte field (length 0) is how H.222.0 stuffs a single byte: no flags byte follows.
  if (totalBytes === 1) return;
  out[at + 1] = pcr === undefined ? 0 : AF_PCR | (randomAccess ? AF_RANDOM_ACCESS : 0);
  let q = at + 2;
  if (pcr !== undefined) {
    writePcr(out, q, pcr);
    q += AF_WITH_PCR_BYTES - 2;
  }
  out.fill(STUFFING_BYTE, q, at + totalBytes);
}

/**
 * How many bytes of the packets' output range [a, b) (relative to the first packet) carry PES
 * bytes inside `ranges` (sorted, disjoint [start, end) pairs of PES offsets). Each packet's PES
 * bytes sit at its end, after any adaptation field.
 */
export function pesBytesInOutput(
  a: number,
  b: number,
  pesBytes: number,
  withPcr: boolean,
  ranges: readonly number[],
): number {
  if (b <= a) return 0;
  const room0 = firstPacketRoom(withPcr);
  let total = 0;
  const lastPacket = Math.floor((b - 1) / TS_PACKET_BYTES);
  for (let k = Math.floor(a / TS_PACKET_BYTES); k <= lastPacket; k++) {
    const pesStart = k === 0 ? 0 : room0 + (k - 1) * TS_PAYLOAD_BYTES;
    const take = Math.min(k === 0 ? room0 : TS_PAYLOAD_BYTES, pesBytes - pesStart);
    const outStart = (k + 1) * TS_PACKET_BYTES - take;
    const x = Math.max(a, outStart);
    const y = Math.min(b, (k + 1) * TS_PACKET_BYTES);
    if (y <= x) continue;
    const from = pesStart + (x - outStart);
    const to = pesStart + (y - outStart);
    for (let r = 0; r + 1 < ranges.length; r += 2) {
      const overlap = Math.min(to, ranges[r + 1]!) - Math.max(from, ranges[r]!);
      if (overlap > 0) total += overlap;
    }
  }
  return total;
}
