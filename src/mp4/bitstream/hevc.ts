import { VigilError } from '../../errors.js';
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import {
  HEVC_NAL_TYPE_MASK,
  HVCC_ARRAY_COMPLETE,
  HVCC_NAL_TYPE_MASK,
  NAL_LENGTH_SIZE_MINUS_ONE,
  RESERVED_HIGH_4_OF_16,
  RESERVED_HIGH_5,
  RESERVED_HIGH_6,
} from '../flags.js';
import { BitReader, unescapeRbsp } from './bit-reader.js';

export const HEVC_NAL_IDR_W_RADL = 19;
export const HEVC_NAL_CRA = 21;
export const HEVC_NAL_VPS = 32;
export const HEVC_NAL_SPS = 33;
export const HEVC_NAL_PPS = 34;

/** The nal_unit_type in the first of the two header bytes. */
export function hevcNalType(nal: Uint8Array): number {
  return ((nal[0] ?? 0) & HEVC_NAL_TYPE_MASK) >> 1;
}

/** general_profile_tier_level fields, as hvcC and the codec string carry them. */
export interface HevcProfileTierLevel {
  profileSpace: number;
  tierFlag: number;
  profileIdc: number;
  /** general_profile_compatibility_flags, flag 0 in the most significant bit. */
  profileCompatibilityFlags: number;
  /** The 48 constraint-indicator bits, as 6 bytes. */
  constraintIndicatorFlags: Uint8Array;
  levelIdc: number;
}

export interface HevcSps extends HevcProfileTierLevel {
  maxSubLayersMinus1: number;
  temporalIdNesting: number;
  chromaFormatIdc: number;
  bitDepthLumaMinus8: number;
  bitDepthChromaMinus8: number;
  /** Displayed size, after the conformance window. */
  width: number;
  height: number;
  /** sps_max_num_reorder_pics of the highest sub-layer (it bounds the whole stream); undefined when unreadable. */
  maxNumReorderPics: number | undefined;
}

function readProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): HevcProfileTierLevel {
  const profileSpace = r.bits(2);
  const tierFlag = r.bit();
  const profileIdc = r.bits(5);
  const profileCompatibilityFlags = r.bits(32);
  const constraintIndicatorFlags = new Uint8Array(6);
  for (let i = 0; i < 6; i++) constraintIndicatorFlags[i] = r.bits(8);
  const levelIdc = r.bits(8);
  const subProfilePresent: number[] = [];
  const subLevelPresent: number[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfilePresent.push(r.bit());
    subLevelPresent.push(r.bit());
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.skip(2); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfilePresent[i] === 1) r.skip(88); // sub_layer profile space … level-independent flags
    if (subLevelPresent[i] === 1) r.skip(8); // sub_layer_level_idc
  }
  return { profileSpace, tierFlag, profileIdc, profileCompatibilityFlags, constraintIndicatorFlags, levelIdc };
}

/** Parses an SPS NAL unit (with its two-byte header) up to the sub-layer ordering info (H.265 7.3.2.2). */
export function parseHevcSps(nal: Uint8Array): HevcSps {
  if (hevcNalType(nal) !== HEVC_NAL_SPS) throw new VigilError('MEDIA_INVALID', 'H.265 SPS: NAL unit is not an SPS');
  const r = new BitReader(unescapeRbsp(nal.subarray(2)), 'H.265 SPS');
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  const temporalIdNesting = r.bit();
  const ptl = readProfileTierLevel(r, maxSubLayersMinus1);
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc === 3) r.bit(); // separate_colour_plane_flag
  const lumaWidth = r.ue();
  const lumaHeight = r.ue();
  let win = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.bit() === 1) win = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
  const bitDepthLumaMinus8 = r.ue();
  const bitDepthChromaMinus8 = r.ue();
  const maxNumReorderPics = readMaxNumReorderPics(r, maxSubLayersMinus1);
  // The window is in chroma units (H.265 Table 6-1).
  const subWidthC = chromaFormatIdc === 1 || chromaFormatIdc === 2 ? 2 : 1;
  const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
  return {
    ...ptl,
    maxSubLayersMinus1,
    temporalIdNesting,
    chromaFormatIdc,
    bitDepthLumaMinus8,
    bitDepthChromaMinus8,
    width: lumaWidth - subWidthC * (win.left + win.right),
    height: lumaHeight - subHeightC * (win.top + win.bottom),
    maxNumReorderPics,
  };
}

/** The sub-layer ordering info after the bit depths; a cut-short SPS loses only this hint. */
function readMaxNumReorderPics(r: BitReader, maxSubLayersMinus1: number): number | undefined {
  try {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
    const allLayers = r.bit() === 1;
    let reorder = 0;
    for (let i = allLayers ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
      r.ue(); // sps_max_dec_pic_buffering_minus1
      reorder = r.ue();
      r.ue(); // sps_max_latency_increase_plus1
    }
    return reorder;
  } catch {
    return undefined;
  }
}

/** An HEVCDecoderConfigurationRecord (the hvcC payload), with 4-byte NAL lengths. */
export function buildHevcDecoderConfig(vps: Uint8Array[], sps: Uint8Array[], pps: Uint8Array[]): Uint8Array {
  const first = sps[0];
  if (first === undefined) throw new VigilError('MEDIA_INVALID', 'H.265: no SPS to build hvcC from');
  if (vps.length === 0 || pps.length === 0) throw new VigilError('MEDIA_INVALID', 'H.265: hvcC needs a VPS and a PPS');
  const info = parseHevcSps(first);
  const w = new ByteWriter(128);
  w.u8(1); // configurationVersion
  w.u8(info.profileSpace * 64 + info.tierFlag * 32 + info.profileIdc);
  w.u32(info.profileCompatibilityFlags);
  w.bytes(info.constraintIndicatorFlags);
  w.u8(info.levelIdc);
  w.u16(RESERVED_HIGH_4_OF_16); // min_spatial_segmentation_idc 0: unknown
  w.u8(RESERVED_HIGH_6); // parallelismType 0: unknown
  w.u8(RESERVED_HIGH_6 | info.chromaFormatIdc);
  w.u8(RESERVED_HIGH_5 | info.bitDepthLumaMinus8);
  w.u8(RESERVED_HIGH_5 | info.bitDepthChromaMinus8);
  w.u16(0); // avgFrameRate: unknown
  // constantFrameRate 0 (2 bits), numTemporalLayers (3), temporalIdNested (1), lengthSizeMinusOne (2)
  w.u8((info.maxSubLayersMinus1 + 1) * 8 + info.temporalIdNesting * 4 + NAL_LENGTH_SIZE_MINUS_ONE);
  const arrays: Array<[number, Uint8Array[]]> = [
    [HEVC_NAL_VPS, vps],
    [HEVC_NAL_SPS, sps],
    [HEVC_NAL_PPS, pps],
  ];
  w.u8(arrays.length);
  for (const [type, units] of arrays) {
    w.u8(HVCC_ARRAY_COMPLETE | type);
    w.u16(units.length);
    for (const u of units) {
      w.u16(u.length);
      w.bytes(u);
    }
  }
  return w.finish();
}

/** The profile fields and the NAL unit arrays inside an hvcC payload. */
export function readHevcDecoderConfig(record: Uint8Array): HevcProfileTierLevel & {
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
} {
  const r = new ByteReader(record, 'hvcC');
  if (r.u8() !== 1) throw new VigilError('MEDIA_INVALID', 'hvcC: configurationVersion is not 1');
  const b = r.u8();
  const profileCompatibilityFlags = r.u32();
  const constraintIndicatorFlags = r.bytes(6).slice();
  const levelIdc = r.u8();
  r.skip(9); // segmentation, parallelism, chroma, bit depths, avgFrameRate, frame-rate/length byte
  const out = {
    profileSpace: b >> 6,
    tierFlag: (b >> 5) & 1,
    profileIdc: b & 31,
    profileCompatibilityFlags,
    constraintIndicatorFlags,
    levelIdc,
    vps: [] as Uint8Array[],
    sps: [] as Uint8Array[],
    pps: [] as Uint8Array[],
  };
  const arrayCount = r.u8();
  for (let i = 0; i < arrayCount; i++) {
    const type = r.u8() & HVCC_NAL_TYPE_MASK;
    const count = r.u16();
    for (let j = 0; j < count; j++) {
      const unit = r.bytes(r.u16());
      if (type === HEVC_NAL_VPS) out.vps.push(unit);
      else if (type === HEVC_NAL_SPS) out.sps.push(unit);
      else if (type === HEVC_NAL_PPS) out.pps.push(unit);
    }
  }
  return out;
}
