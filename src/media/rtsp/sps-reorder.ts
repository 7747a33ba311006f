/**
 * What an SPS says about frame reordering, for the dts of streams that carry
 * only presentation times (see timing.ts): H.264's VUI max_num_reorder_frames
 * and frame rate, H.265's sps_max_num_reorder_pics, as mp4/bitstream parses
 * them. Pure; an SPS that cannot be read says nothing (undefined).
 */
import { parseAvcSps, parseHevcSps } from '../../mp4/index.js';

export interface ReorderInfo {
  /** Frames that may precede a frame in decode order and follow it in presentation order. */
  reorderDepth: number | undefined;
  /** One frame in 90 kHz ticks, when the SPS gives a frame rate. */
  frameTicks: number | undefined;
}

/** Constrained baseline has no B-frames, so no reordering even without a bitstream restriction. */
const BASELINE = 66;

export function avcReorderInfo(sps: Uint8Array): ReorderInfo {
  try {
    const { profileIdc, timing, maxNumReorderFrames } = parseAvcSps(sps);
    return {
      reorderDepth: maxNumReorderFrames ?? (profileIdc === BASELINE ? 0 : undefined),
      frameTicks:
        timing === undefined ? undefined : Math.round((90_000 * 2 * timing.numUnitsInTick) / timing.timeScale),
    };
  } catch {
    return { reorderDepth: undefined, frameTicks: undefined };
  }
}

export function hevcReorderDepth(sps: Uint8Array): number | undefined {
  try {
    return parseHevcSps(sps).maxNumReorderPics;
  } catch {
    return undefined;
  }
}
