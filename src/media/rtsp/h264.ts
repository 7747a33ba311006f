/** H.264 over RTP (RFC 6184): single NAL unit packets, STAP-A and FU-A (non-interleaved mode). */
import { buildAvcDecoderConfig, parseAvcSps } from '../../mp4/index.js';
import type { NalAssembler } from './nal-assembler.js';
import type { VideoPayloadFormat } from './video-depacketizer.js';

const NAL_TYPE_MASK = 0x1f;
const IDR = 5;
const SPS = 7;
const PPS = 8;
const STAP_A = 24;
const FU_A = 28;
const FU_START = 0x80;
const FU_END = 0x40;

export const h264PayloadFormat: VideoPayloadFormat = {
  parameterSetKinds: ['sps', 'pps'],

  depacketize(data: Buffer, offset: number, length: number, into: NalAssembler): void {
    if (length < 1) return;
    const type = data[offset]! & NAL_TYPE_MASK;
    if (type >= 1 && type <= 23) {
      into.add(data, offset, offset + length);
      return;
    }
    const end = offset + length;
    if (type === STAP_A) {
      for (let at = offset + 1; at + 2 <= end;) {
        const size = data.readUInt16BE(at);
        at += 2;
        if (at + size > end) break;
        into.add(data, at, at + size);
        at += size;
      }
      return;
    }
    if (type === FU_A && length > 2) {
      const fuHeader = data[offset + 1]!;
      if ((fuHeader & FU_START) !== 0) {
        // The NAL header: F and NRI from the FU indicator, the type from the FU header.
        const header = (data[offset]! & 0xe0) | (fuHeader & NAL_TYPE_MASK);
        into.startFragment(header, 1, data, offset + 2, end);
      } else if (!into.appendFragment(data, offset + 2, end)) {
        return;
      }
      if ((fuHeader & FU_END) !== 0) into.endFragment();
    }
    // STAP-B, MTAP and FU-B belong to the interleaved mode, which Vigil does not ask for.
  },

  isKeyframe: (firstByte) => (firstByte & NAL_TYPE_MASK) === IDR,

  parameterSetKind(firstByte: number): string | undefined {
    const type = firstByte & NAL_TYPE_MASK;
    return type === SPS ? 'sps' : type === PPS ? 'pps' : undefined;
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
