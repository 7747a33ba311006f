/** H.265 over RTP (RFC 7798): single NAL unit packets, aggregation packets (AP) and fragmentation units (FU), without DONL. */
import { buildHevcDecoderConfig, parseHevcSps } from '../../mp4/index.js';
import { decodeBase64List } from './h264.js';
import type { NalAssembler } from './nal-assembler.js';
import type { VideoPayloadFormat } from './video-depacketizer.js';

const AP = 48;
const FU = 49;
const IRAP_FIRST = 16;
const IRAP_LAST = 23;
const VPS = 32;
const SPS = 33;
const PPS = 34;
const FU_START = 0x80;
const FU_END = 0x40;

function nalType(first: number): number {
  return (first >> 1) & 0x3f;
}

export const h265PayloadFormat: VideoPayloadFormat = {
  parameterSetKinds: ['vps', 'sps', 'pps'],

  depacketize(data: Buffer, offset: number, length: number, into: NalAssembler): void {
    if (length < 3) return;
    const type = nalType(data[offset]!);
    const end = offset + length;
    if (type === AP) {
      for (let at = offset + 2; at + 2 <= end;) {
        const size = data.readUInt16BE(at);
        at += 2;
        if (at + size > end) break;
        into.add(data, at, at + size);
        at += size;
      }
      return;
    }
    if (type === FU) {
      const fuHeader = data[offset + 2]!;
      if ((fuHeader & FU_START) !== 0) {
        // The NAL header: the payload header with the FU header's type.
        const first = (data[offset]! & 0x81) | ((fuHeader & 0x3f) << 1);
        into.startFragment((first << 8) | data[offset + 1]!, 2, data, offset + 3, end);
      } else if (!into.appendFragment(data, offset + 3, end)) {
        return;
      }
      if ((fuHeader & FU_END) !== 0) into.endFragment();
      return;
    }
    // PACI (50) and reserved types are not used by cameras.
    if (type < AP) into.add(data, offset, end);
  },

  isKeyframe(firstByte: number): boolean {
    const type = nalType(firstByte);
    return type >= IRAP_FIRST && type <= IRAP_LAST;
  },

  parameterSetKind(firstByte: number): string | undefined {
    const type = nalType(firstByte);
    return type === VPS ? 'vps' : type === SPS ? 'sps' : type === PPS ? 'pps' : undefined;
  },

  buildRecord(sets: ReadonlyMap<string, Uint8Array>): Uint8Array | undefined {
    const vps = sets.get('vps');
    const sps = sets.get('sps');
    const pps = sets.get('pps');
    if (vps === undefined || sps === undefined || pps === undefined) return undefined;
    try {
      parseHevcSps(sps);
      return buildHevcDecoderConfig([vps], [sps], [pps]);
    } catch {
      return undefined;
    }
  },
};

/** sprop-vps, sprop-sps and sprop-pps (RFC 7798 §7.1). */
export function h265SpropSets(fmtp: ReadonlyMap<string, string>): Uint8Array[] {
  return ['sprop-vps', 'sprop-sps', 'sprop-pps'].flatMap((key) => decodeBase64List(fmtp.get(key)));
}
