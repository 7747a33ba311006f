/** H.264 over RTP (RFC 6184): single NAL unit packets, STAP-A and FU-A (non-interleaved mode). */
import {
  AVC_NAL_PPS,
  AVC_NAL_SLICE_IDR,
  AVC_NAL_SPS,
  buildAvcDecoderConfig,
  parseAvcSps,
} from '../../mp4/bitstream/avc.js';
import { AVC_NAL_TYPE_MASK } from '../../mp4/flags.js';
import type { NalAssembler } from './nal-assembler.js';
import type { VideoPayloadFormat } from './video-depacketizer.js';

const STAP_A = 24;
const FU_A = 28;
/** The F and NRI bits of a NAL header. */
const NAL_F_NRI = 0xe0;

export const h264PayloadFormat: VideoPayloadFormat = {
  parameterSetKinds: ['sps', 'pps'],

  depacketize(data: Buffer, offset: number, length: number, into: NalAssembler): void {
    if (length < 1) return;
    const type = data[offset]! & AVC_NAL_TYPE_MASK;
    if (type >= 1 && type <= 23) {
      into.add(data, offset, offset + length);
    } else if (type === STAP_A) {
      into.addAggregated(data, offset + 1, offset + length);
    } else if (type === FU_A && length > 2) {
      const fuHeader = data[offset + 1]!;
      // The NAL header: F and NRI from the FU indicator, the type from the FU header.
      const header = (data[offset]! & NAL_F_NRI) | (fuHeader & AVC_NAL_TYPE_MASK);
      into.addFragment(fuHeader, header, 1, data, offset + 2, offset + length);
    }
    // STAP-B, MTAP and FU-B belong to the interleaved mode, which Vigil does not ask for.
  },

  isKeyframe: (firstByte) => (firstByte & AVC_NAL_TYPE_MASK) === AVC_NAL_SLICE_IDR,

  parameterSetKind(firstByte: number): string | undefined {
    const type = firstByte & AVC_NAL_TYPE_MASK;
    return type === AVC_NAL_SPS ? 'sps' : type === AVC_NAL_PPS ? 'pps' : undefined;
  },

  buildRecord(sets: ReadonlyMap<string, Uint8Array>): Uint8Array | undefined {
    const sps = sets.get('sps');
    const pps = sets.get('pps');
    if (sps === undefined || pps === undefined) return undefined;
    try {
      parseAvcSps(sps);
      return buildAvcDecoderConfig([sps], [pps]);
    } catch {
      return undefined;
    }
  },
};

/** sprop-parameter-sets (RFC 6184 §8.1): base64 NAL units separated by commas. */
export function h264SpropSets(fmtp: ReadonlyMap<string, string>): Uint8Array[] {
  return decodeBase64List(fmtp.get('sprop-parameter-sets'));
}

export function decodeBase64List(value: string | undefined): Uint8Array[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((part) => new Uint8Array(Buffer.from(part.trim(), 'base64')))
    .filter((nal) => nal.length > 0);
}
