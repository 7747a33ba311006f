/**
 * What an SPS says about frame reordering, for the dts of streams that carry
 * only presentation times (see timing.ts): H.264's VUI max_num_reorder_frames
 * and frame rate (E.1.1), H.265's sps_max_num_reorder_pics (7.3.2.2). Pure;
 * an SPS that cannot be read says nothing (undefined).
 */
import { BitReader, unescapeRbsp } from '../../mp4/bitstream/bit-reader.js';

export interface ReorderInfo {
  /** Frames that may precede a frame in decode order and follow it in presentation order. */
  reorderDepth: number | undefined;
  /** One frame in 90 kHz ticks, when the SPS gives a frame rate. */
  frameTicks: number | undefined;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
const BASELINE = 66;

export function avcReorderInfo(sps: Uint8Array): ReorderInfo {
  try {
    return readAvc(new BitReader(unescapeRbsp(sps.subarray(1)), 'H.264 SPS'));
  } catch {
    return { reorderDepth: undefined, frameTicks: undefined };
  }
}

function readAvc(r: BitReader): ReorderInfo {
  const profileIdc = r.bits(8);
  r.skip(16); // constraint flags, level_idc
  r.ue(); // seq_parameter_set_id
  if (HIGH_PROFILES.has(profileIdc)) {
    const chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) r.bit();
    r.ue();
    r.ue();
    r.bit();
    if (r.bit() === 1) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.bit() === 1) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.bit();
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.bit();
  r.ue();
  r.ue();
  if (r.bit() === 0) r.bit(); // frame_mbs_only_flag, mb_adaptive_frame_field_flag
  r.bit();
  if (r.bit() === 1) for (let i = 0; i < 4; i++) r.ue(); // frame cropping
  const baselineDepth = profileIdc === BASELINE ? 0 : undefined;
  if (r.bit() === 0) return { reorderDepth: baselineDepth, frameTicks: undefined };
  // VUI
  if (r.bit() === 1 && r.bits(8) === 255) r.skip(32); // aspect ratio, extended SAR
  if (r.bit() === 1) r.bit(); // overscan
  if (r.bit() === 1) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.bit() === 1) r.skip(24); // colour description
  }
  if (r.bit() === 1) {
    r.ue();
    r.ue();
  }
  let frameTicks: number | undefined;
  if (r.bit() === 1) {
    const numUnitsInTick = r.bits(32);
    const timeScale = r.bits(32);
    r.bit();
    if (numUnitsInTick > 0 && timeScale > 0) frameTicks = Math.round((90_000 * 2 * numUnitsInTick) / timeScale);
  }
  const nalHrd = r.bit() === 1;
  if (nalHrd) skipHrd(r);
  const vclHrd = r.bit() === 1;
  if (vclHrd) skipHrd(r);
  if (nalHrd || vclHrd) r.bit();
  r.bit(); // pic_struct_present_flag
  if (r.bit() === 0) return { reorderDepth: baselineDepth, frameTicks };
  r.bit();
  for (let i = 0; i < 4; i++) r.ue();
  return { reorderDepth: r.ue(), frameTicks };
}

function skipHrd(r: BitReader): void {
  const count = r.ue() + 1;
  r.skip(8);
  for (let i = 0; i < count; i++) {
    r.ue();
    r.ue();
    r.bit();
  }
  r.skip(20);
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

export function hevcReorderDepth(sps: Uint8Array): number | undefined {
  try {
    const r = new BitReader(unescapeRbsp(sps.subarray(2)), 'H.265 SPS');
    r.skip(4);
    const maxSubLayersMinus1 = r.bits(3);
    r.bit();
    skipProfileTierLevel(r, maxSubLayersMinus1);
    r.ue(); // sps_seq_parameter_set_id
    if (r.ue() === 3) r.bit(); // chroma_format_idc, separate_colour_plane_flag
    r.ue();
    r.ue();
    if (r.bit() === 1) for (let i = 0; i < 4; i++) r.ue(); // conformance window
    r.ue();
    r.ue(); // bit depths
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
    const allLayers = r.bit() === 1;
    let depth = 0;
    for (let i = allLayers ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
      r.ue();
      depth = r.ue();
      r.ue();
    }
    // The highest sub-layer's value is last: it bounds the whole stream.
    return depth;
  } catch {
    return undefined;
  }
}

function skipProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): void {
  r.skip(96); // general profile space … general_level_idc
  const subProfile: number[] = [];
  const subLevel: number[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.bit());
    subLevel.push(r.bit());
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i] === 1) r.skip(88);
    if (subLevel[i] === 1) r.skip(8);
  }
}
