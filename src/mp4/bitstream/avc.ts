import { VigilError } from '../../errors.js';
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import {
  AVC_NAL_TYPE_MASK,
  NAL_LENGTH_SIZE_MINUS_ONE,
  RESERVED_HIGH_3,
  RESERVED_HIGH_5,
  RESERVED_HIGH_6,
} from '../flags.js';
import { BitReader, unescapeRbsp } from './bit-reader.js';

export const AVC_NAL_SLICE_IDR = 5;
export const AVC_NAL_SPS = 7;
export const AVC_NAL_PPS = 8;

/** Profiles whose SPS carries chroma format, bit depths and scaling lists (H.264 7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** Profiles whose avcC carries the chroma/bit-depth extension (ISO/IEC 14496-15 5.3.3.1.2). */
const AVCC_EXTENDED_PROFILES = new Set([100, 110, 122, 144]);

export function avcNalType(nal: Uint8Array): number {
  return (nal[0] ?? 0) & AVC_NAL_TYPE_MASK;
}

export interface AvcSps {
  profileIdc: number;
  /** constraint_set flags and reserved bits: the byte between profile and level. */
  profileCompatibility: number;
  levelIdc: number;
  chromaFormatIdc: number;
  bitDepthLumaMinus8: number;
  bitDepthChromaMinus8: number;
  /** Displayed size, after frame cropping. */
  width: number;
  height: number;
  /** VUI timing (E.1.1): the frame rate is timeScale / (2 · numUnitsInTick); undefined when absent. */
  timing: { numUnitsInTick: number; timeScale: number } | undefined;
  /** VUI max_num_reorder_frames; undefined when the SPS has no bitstream restriction (or its VUI is unreadable). */
  maxNumReorderFrames: number | undefined;
}

function skipHrdParameters(r: BitReader): void {
  const count = r.ue() + 1;
  r.skip(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < count; i++) {
    r.ue(); // bit_rate_value_minus1
    r.ue(); // cpb_size_value_minus1
    r.bit(); // cbr_flag
  }
  r.skip(20); // four delay/length fields of 5 bits
}

type AvcVui = Pick<AvcSps, 'timing' | 'maxNumReorderFrames'>;

/** The VUI (E.1.1) up to max_num_reorder_frames: what dts reconstruction needs. */
function readAvcVui(r: BitReader): AvcVui {
  if (r.bit() === 1 && r.bits(8) === 255) r.skip(32); // aspect_ratio_info, extended SAR
  if (r.bit() === 1) r.bit(); // overscan
  if (r.bit() === 1) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.bit() === 1) r.skip(24); // colour description
  }
  if (r.bit() === 1) {
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue(); // chroma_sample_loc_type_bottom_field
  }
  let timing: AvcVui['timing'];
  if (r.bit() === 1) {
    const numUnitsInTick = r.bits(32);
    const timeScale = r.bits(32);
    r.bit(); // fixed_frame_rate_flag
    if (numUnitsInTick > 0 && timeScale > 0) timing = { numUnitsInTick, timeScale };
  }
  const nalHrd = r.bit() === 1;
  if (nalHrd) skipHrdParameters(r);
  const vclHrd = r.bit() === 1;
  if (vclHrd) skipHrdParameters(r);
  if (nalHrd || vclHrd) r.bit(); // low_delay_hrd_flag
  r.bit(); // pic_struct_present_flag
  if (r.bit() === 0) return { timing, maxNumReorderFrames: undefined };
  r.bit(); // motion_vectors_over_pic_boundaries_flag
  for (let i = 0; i < 4; i++) r.ue(); // max bytes/bits per pic/mb, log2 max mv lengths
  return { timing, maxNumReorderFrames: r.ue() };
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Parses an SPS NAL unit (with its one-byte header): picture size, and the VUI's timing and reorder depth. */
export function parseAvcSps(nal: Uint8Array): AvcSps {
  if (avcNalType(nal) !== AVC_NAL_SPS) throw new VigilError('MEDIA_INVALID', 'H.264 SPS: NAL unit is not an SPS');
  const r = new BitReader(unescapeRbsp(nal.subarray(1)), 'H.264 SPS');
  const profileIdc = r.bits(8);
  const profileCompatibility = r.bits(8);
  const levelIdc = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = 0;
  let bitDepthLumaMinus8 = 0;
  let bitDepthChromaMinus8 = 0;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) separateColourPlane = r.bit();
    bitDepthLumaMinus8 = r.ue();
    bitDepthChromaMinus8 = r.ue();
    r.bit(); // qpprime_y_zero_transform_bypass_flag
    if (r.bit() === 1) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.bit() === 1) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (pocType === 1) {
    r.bit(); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const heightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit();
  if (frameMbsOnly === 0) r.bit(); // mb_adaptive_frame_field_flag
  r.bit(); // direct_8x8_inference_flag
  let crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.bit() === 1) crop = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
  // Crop units (H.264 7.4.2.1.1): in chroma samples, and doubled vertically for field coding.
  const chromaArrayType = separateColourPlane === 1 ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (2 - frameMbsOnly);
  let vui: AvcVui = { timing: undefined, maxNumReorderFrames: undefined };
  if (r.bit() === 1) {
    // The picture size above is what callers rely on; a VUI cut short only loses the reorder hints.
    try {
      vui = readAvcVui(r);
    } catch {
      // keep the defaults
    }
  }
  return {
    profileIdc,
    profileCompatibility,
    levelIdc,
    chromaFormatIdc,
    bitDepthLumaMinus8,
    bitDepthChromaMinus8,
    width: widthInMbs * 16 - cropUnitX * (crop.left + crop.right),
    height: (2 - frameMbsOnly) * heightInMapUnits * 16 - cropUnitY * (crop.top + crop.bottom),
    ...vui,
  };
}

/** An AVCDecoderConfigurationRecord (the avcC payload) for these parameter sets, with 4-byte NAL lengths. */
export function buildAvcDecoderConfig(sps: Uint8Array[], pps: Uint8Array[]): Uint8Array {
  const first = sps[0];
  if (first === undefined) throw new VigilError('MEDIA_INVALID', 'H.264: no SPS to build avcC from');
  if (pps.length === 0) throw new VigilError('MEDIA_INVALID', 'H.264: no PPS to build avcC from');
  const info = parseAvcSps(first);
  const w = new ByteWriter(64);
  w.u8(1); // configurationVersion
  w.u8(info.profileIdc);
  w.u8(info.profileCompatibility);
  w.u8(info.levelIdc);
  w.u8(RESERVED_HIGH_6 | NAL_LENGTH_SIZE_MINUS_ONE);
  w.u8(RESERVED_HIGH_3 | sps.length);
  for (const s of sps) {
    w.u16(s.length);
    w.bytes(s);
  }
  w.u8(pps.length);
  for (const p of pps) {
    w.u16(p.length);
    w.bytes(p);
  }
  if (AVCC_EXTENDED_PROFILES.has(info.profileIdc)) {
    w.u8(RESERVED_HIGH_6 | info.chromaFormatIdc);
    w.u8(RESERVED_HIGH_5 | info.bitDepthLumaMinus8);
    w.u8(RESERVED_HIGH_5 | info.bitDepthChromaMinus8);
    w.u8(0); // numOfSequenceParameterSetExt
  }
  return w.finish();
}

/** The parameter sets inside an avcC payload. */
export function readAvcDecoderConfig(record: Uint8Array): { sps: Uint8Array[]; pps: Uint8Array[] } {
  const r = new ByteReader(record, 'avcC');
  if (r.u8() !== 1) throw new VigilError('MEDIA_INVALID', 'avcC: configurationVersion is not 1');
  r.skip(4);
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  const spsCount = r.u8() & ~RESERVED_HIGH_3;
  for (let i = 0; i < spsCount; i++) sps.push(r.bytes(r.u16()));
  const ppsCount = r.u8();
  for (let i = 0; i < ppsCount; i++) pps.push(r.bytes(r.u16()));
  return { sps, pps };
}
