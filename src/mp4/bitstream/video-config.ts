import { VigilError } from '../../errors.js';
import { isAnnexB, splitAnnexB, splitLengthPrefixed } from './annex-b.js';
import {
  AVC_NAL_PPS,
  AVC_NAL_SPS,
  avcNalType,
  buildAvcDecoderConfig,
  parseAvcSps,
  readAvcDecoderConfig,
} from './avc.js';
import {
  buildHevcDecoderConfig,
  HEVC_NAL_PPS,
  HEVC_NAL_SPS,
  HEVC_NAL_VPS,
  hevcNalType,
  parseHevcSps,
  readHevcDecoderConfig,
} from './hevc.js';

export interface VideoDecoderConfig {
  /** The avcC or hvcC payload. */
  decoderConfig: Uint8Array;
  width: number;
  height: number;
}

/**
 * The decoder configuration record and picture size of a video stream, from whatever the source
 * gave: an avcC/hvcC record or Annex B parameter sets as extradata, or, when extradata is missing
 * (many RTSP cameras), the SPS/PPS inside the first keyframe. Undefined when no parameter sets are found.
 */
export function toVideoDecoderConfig(
  codec: 'h264' | 'hevc',
  extradata: Uint8Array | undefined,
  firstAccessUnit?: Uint8Array,
): VideoDecoderConfig | undefined {
  if (extradata !== undefined && extradata.length > 0) {
    if (!isAnnexB(extradata) && extradata[0] === 1) return fromRecord(codec, extradata);
    const found = fromNalUnits(codec, splitAnnexB(extradata));
    if (found !== undefined) return found;
  }
  if (firstAccessUnit === undefined || firstAccessUnit.length === 0) return undefined;
  const units = isAnnexB(firstAccessUnit) ? splitAnnexB(firstAccessUnit) : safeSplitLengthPrefixed(firstAccessUnit);
  return fromNalUnits(codec, units);
}

function safeSplitLengthPrefixed(data: Uint8Array): Uint8Array[] {
  try {
    return splitLengthPrefixed(data);
  } catch {
    return [];
  }
}

function fromRecord(codec: 'h264' | 'hevc', record: Uint8Array): VideoDecoderConfig {
  const sps = codec === 'h264' ? readAvcDecoderConfig(record).sps[0] : readHevcDecoderConfig(record).sps[0];
  if (sps === undefined) throw new VigilError('MEDIA_INVALID', `${codec} decoder configuration has no SPS`);
  const { width, height } = codec === 'h264' ? parseAvcSps(sps) : parseHevcSps(sps);
  return { decoderConfig: record.slice(), width, height };
}

function fromNalUnits(codec: 'h264' | 'hevc', units: Uint8Array[]): VideoDecoderConfig | undefined {
  if (codec === 'h264') {
    const sps = units.filter((u) => avcNalType(u) === AVC_NAL_SPS);
    const pps = units.filter((u) => avcNalType(u) === AVC_NAL_PPS);
    if (sps.length === 0 || pps.length === 0) return undefined;
    const { width, height } = parseAvcSps(sps[0]!);
    return { decoderConfig: buildAvcDecoderConfig(sps, pps), width, height };
  }
  const vps = units.filter((u) => hevcNalType(u) === HEVC_NAL_VPS);
  const sps = units.filter((u) => hevcNalType(u) === HEVC_NAL_SPS);
  const pps = units.filter((u) => hevcNalType(u) === HEVC_NAL_PPS);
  if (vps.length === 0 || sps.length === 0 || pps.length === 0) return undefined;
  const { width, height } = parseHevcSps(sps[0]!);
  return { decoderConfig: buildHevcDecoderConfig(vps, sps, pps), width, height };
}
