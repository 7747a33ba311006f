/**
 * A small RTP packetizer for the native RTSP client's tests: real NAL units
 * (from an Annex B file made by Debian's ffmpeg) → RTP packets in each
 * packetization mode (single NAL unit, STAP-A/AP, FU-A/FU), and interleaved
 * `$` frames. Written from RFC 3550/6184/7798 for tests only.
 */
import { readFileSync } from 'node:fs';
import { splitAnnexB } from '../../src/mp4/bitstream/annex-b.js';

export type VideoCodec = 'h264' | 'h265';

/** The access units of an Annex B file, each a list of NAL units (a new one starts at a picture's first slice). */
export function readAccessUnits(path: string, codec: VideoCodec): Uint8Array[][] {
  const units: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let hasSlice = false;
  for (const nal of splitAnnexB(readFileSync(path))) {
    const vcl = codec === 'h264' ? isAvcSlice(nal) : isHevcSlice(nal);
    const firstSlice = vcl && (codec === 'h264' ? (nal[1]! & 0x80) !== 0 : (nal[2]! & 0x80) !== 0);
    // A new picture, or a parameter set / SEI after a picture: the next access unit.
    if (hasSlice && (firstSlice || !vcl)) {
      units.push(current);
      current = [];
      hasSlice = false;
    }
    current.push(nal);
    if (vcl) hasSlice = true;
  }
  if (current.length > 0) units.push(current);
  return units;
}

function isAvcSlice(nal: Uint8Array): boolean {
  const type = nal[0]! & 0x1f;
  return type >= 1 && type <= 5;
}

function isHevcSlice(nal: Uint8Array): boolean {
  return ((nal[0]! >> 1) & 0x3f) < 32;
}

export interface RtpFields {
  payloadType: number;
  sequence: number;
  timestamp: number;
  marker: boolean;
  ssrc?: number;
}

export function rtpPacket(fields: RtpFields, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + payload.length);
  out[0] = 0x80;
  out[1] = (fields.marker ? 0x80 : 0) | fields.payloadType;
  out.writeUInt16BE(fields.sequence & 0xffff, 2);
  out.writeUInt32BE(fields.timestamp >>> 0, 4);
  out.writeUInt32BE(fields.ssrc ?? 0x1234, 8);
  out.set(payload, 12);
  return out;
}

/** One interleaved frame: `$`, channel, 16-bit length, data. */
export function interleaved(channel: number, data: Uint8Array): Buffer {
  const header = Buffer.from([0x24, channel, data.length >> 8, data.length & 0xff]);
  return Buffer.concat([header, data]);
}

/**
 * The RTP payloads of one access unit: NAL units up to `mtu` alone (or, with
 * `aggregate`, small ones together in STAP-A/AP), larger ones in fragments.
 */
export function videoPayloads(codec: VideoCodec, nals: Uint8Array[], mtu: number, aggregate: boolean): Uint8Array[] {
  const headerBytes = codec === 'h264' ? 1 : 2;
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  const flush = (): void => {
    if (group.length === 1) out.push(group[0]!);
    else if (group.length > 1) out.push(aggregatePacket(codec, group));
    group = [];
  };
  for (const nal of nals) {
    if (nal.length > mtu) {
      flush();
      out.push(...fragments(codec, nal, mtu - headerBytes - 1));
      continue;
    }
    const groupBytes = group.reduce((n, g) => n + 2 + g.length, headerBytes);
    if (!aggregate || groupBytes + 2 + nal.length > mtu) flush();
    group.push(nal);
    if (!aggregate) flush();
  }
  flush();
  return out;
}

function aggregatePacket(codec: VideoCodec, nals: Uint8Array[]): Uint8Array {
  const header =
    codec === 'h264'
      ? Buffer.from([(Math.max(...nals.map((n) => n[0]! & 0x60)) & 0x60) | 24])
      : Buffer.from([48 << 1, 1]);
  const parts: Uint8Array[] = [header];
  for (const nal of nals) parts.push(Buffer.from([nal.length >> 8, nal.length & 0xff]), nal);
  return Buffer.concat(parts);
}

function fragments(codec: VideoCodec, nal: Uint8Array, chunk: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const headerBytes = codec === 'h264' ? 1 : 2;
  const body = nal.subarray(headerBytes);
  for (let at = 0; at < body.length; at += chunk) {
    const start = at === 0 ? 0x80 : 0;
    const end = at + chunk >= body.length ? 0x40 : 0;
    const header =
      codec === 'h264'
        ? Buffer.from([(nal[0]! & 0xe0) | 28, start | end | (nal[0]! & 0x1f)])
        : Buffer.from([(nal[0]! & 0x81) | (49 << 1), nal[1]!, start | end | ((nal[0]! >> 1) & 0x3f)]);
    out.push(Buffer.concat([header, body.subarray(at, at + chunk)]));
  }
  return out;
}
