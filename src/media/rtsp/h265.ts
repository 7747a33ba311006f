/** H.265 over RTP (RFC 7798): single NAL unit packets, aggregation packets (AP) and fragmentation units (FU), without DONL. */
import {
  HEVC_NAL_PPS,
  HEVC_NAL_SPS,
  HEVC_NAL_VPS,
  buildHevcDecoderConfig,
  parseHevcSps,
} from '../../mp4/bitstream/hevc.js';
import { HEVC_NAL_TYPE_MASK } from '../../mp4/flags.js';
import { decodeBase64List } from './h264.js';
import type { NalAssembler } from './nal-assembler.js';
import type { VideoPayloadFormat } from './video-depacketizer.js';

const AP = 48;
const FU = 49;
const IRAP_FIRST = 16;
const IRAP_LAST = 23;
/** The F bit and LayerId's high bit: what the first NAL header byte keeps besides the type. */
const NAL_F_LAYER_HIGH = 0x81;
/** The FU header's FuType field. */
const FU_TYPE_MASK = 0x3f;

function nalType(first: number): number {
  return (first & HEVC_NAL_TYPE_MASK) >> 1;
}

export const h265PayloadFormat: VideoPayloadFormat = {
  parameterSetKinds: ['vps', 'sps', 'pps'],

  depacketize(data: Buffer, offset: number, length: number, into: NalAssembler): void {
    if (length < 3) return;
    const type = nalType(data[offset]!);
    const end = offset + length;
    if (type === AP) {
      into.addAggregated(data, offset + 2, end);
      return;
    }
    if (type === FU) {
      const fuHeader = data[offset + 2]!;
      // The NAL header: the payload header with the FU header's type.
      const first = (data[offset]! & NAL_F_LAYER_HIGH) | ((fuHeader & FU_TYPE_MASK) << 1);
      into.addFragment(fuHeader, (first << 8) | data[offset + 1]!, 2, data, offset + 3, end);
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
    return type === HEVC_NAL_VPS ? 'vps' : type === HEVC_NAL_SPS ? 'sps' : type === HEVC_NAL_PPS ? 'pps' : undefined;
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
