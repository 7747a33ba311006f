/**
 * Which archived samples make a thumbnail (pure: index rows in, a plan out).
 *
 * A sample's wall-clock instant is pinned the way the export planner pins it:
 * decode time 0 of the segment's timing track (its video track) is
 * `segment.startUs`, and a frame is shown at decode time + composition offset.
 * Only the moofs of the fragments around the asked instant are parsed, so a
 * plan over a long range of index rows costs little more than one over a few.
 */
import { DEFAULT_GAP_TOLERANCE_US } from '../archive/ranges.js';
import type { SegmentRecord } from '../archive/types.js';
import type { Variant } from '../config/stream-types.js';
import { invalidArgument, VigilError } from '../errors.js';
import { readFragment } from '../mp4/fragment.js';
import type { VideoTrackConfig } from '../mp4/types.js';
import { US_PER_SECOND, usToIso } from '../time.js';
import type { PlanInput, SampleSelection, SegmentFileRef } from './types.js';

export const THUMBNAIL_METHODS = ['nearest', 'before', 'after', 'precise'] as const;
export type ThumbnailMethod = (typeof THUMBNAIL_METHODS)[number];

export const THUMBNAIL_MIN_WIDTH = 16;
export const THUMBNAIL_MAX_WIDTH = 3840;

/** One sample to read and hand to the decoder. */
export interface ThumbnailSample {
  file: SegmentFileRef;
  /** Offset of the payload in its segment file. */
  offset: number;
  sizeBytes: number;
  durationTicks: number;
}

export interface ThumbnailPlan {
  stream: string;
  variant: Variant;
  method: ThumbnailMethod;
  /** Wall-clock instant the keyframe the decode starts from is shown. */
  keyframeUs: number;
  /** Wall-clock instant of the frame the thumbnail shows: keyframeUs, or with 'precise' the frame at or before the asked instant. */
  shownUs: number;
  track: VideoTrackConfig;
  /** In decode order; samples[0] is the keyframe. Payloads are length-prefixed NAL units, as stored. */
  samples: ThumbnailSample[];
  /** Which decoded frame, counted in presentation order, is the one shown. */
  targetIndex: number;
}

interface VideoSample extends ThumbnailSample {
  isSync: boolean;
  decodeUs: number;
  presentationUs: number;
}

/** A fragment of a segment with a video track, with its video samples parsed on first use. */
interface Slot {
  segmentIndex: number;
  track: VideoTrackConfig;
  startUs: number;
  samples: () => VideoSample[];
}

/**
 * Plans a thumbnail at `atUs`. 'before' and 'after' take the keyframe shown at
 * or before / at or after it, 'nearest' the closer of the two (the earlier on a
 * tie), 'precise' decodes from the keyframe before up to the frame shown at or
 * before it. Throws RANGE_NOT_RECORDED when no segment covers `atUs`, NOT_FOUND
 * when the recording there has no video.
 */
export function planThumbnail(input: PlanInput, atUs: number, method: ThumbnailMethod): ThumbnailPlan {
  const { segments } = input;
  const segmentIndex = segments.findIndex((s) => s.startUs <= atUs && atUs < s.endUs);
  const segment = segments[segmentIndex];
  if (segment === undefined) {
    throw new VigilError('RANGE_NOT_RECORDED', `nothing is recorded at ${usToIso(atUs)}`, { field: 'from' });
  }
  const video = segment.tracks.find((t): t is VideoTrackConfig => t.kind === 'video');
  if (video === undefined) {
    throw new VigilError(
      'NOT_FOUND',
      `stream "${segment.stream}" has no video at ${usToIso(atUs)} (only ${segment.codecs}): there is no picture for a thumbnail`,
    );
  }
  const slots = videoSlots(input);
  // The fragment being decoded at atUs: the last one to start at or before it.
  let at = -1;
  for (let i = 0; i < slots.length && slots[i]!.startUs <= atUs; i++) at = i;

  const before = (): Found | undefined => {
    const found = findBefore(slots, at, atUs);
    // Never reach across a gap: just after a recording starts (its first keyframe
    // can be shown a little after segment start), its first keyframe is the answer.
    if (found !== undefined && contiguous(segments, found.segmentIndex, segmentIndex)) return found;
    return findAfter(slots, firstSlotOf(slots, segmentIndex), segment.startUs);
  };
  const after = (): Found | undefined => findAfter(slots, at, atUs);

  let found: Found | undefined;
  if (method === 'after') found = after();
  else if (method === 'nearest') found = nearest(before(), after(), atUs);
  else found = before();
  if (found === undefined) {
    const where = method === 'after' ? 'at or after' : 'around';
    throw new VigilError('RANGE_NOT_RECORDED', `no video keyframe ${where} ${usToIso(atUs)} is recorded yet`, {
      field: 'from',
    });
  }
  const keyframe = found.sample;
  const chain = method === 'precise' ? decodeChain(slots, found, atUs) : [keyframe];
  const shown = chain[chain.length - 1]!;
  return {
    stream: segment.stream,
    variant: segment.variant,
    method,
    keyframeUs: keyframe.presentationUs,
    shownUs: shown.presentationUs,
    track: slots[found.slot]?.track ?? video,
    samples: chain.map(({ file, offset, sizeBytes, durationTicks }) => ({ file, offset, sizeBytes, durationTicks })),
    targetIndex: chain.filter((s) => s.presentationUs < shown.presentationUs).length,
  };
}

/**
 * The keyframe alone as an export selection, so the progressive MP4 builder
 * can make the one-frame MP4 (`-preview.mp4`). A 'precise' plan still gives its
 * keyframe: a later frame cannot be shown without the frames before it.
 */
export function thumbnailSelection(plan: ThumbnailPlan): SampleSelection {
  const keyframe = plan.samples[0];
  if (keyframe === undefined) throw invalidArgument('plan.samples', 'a thumbnail plan has no samples');
  const durationUs = Math.round((keyframe.durationTicks * US_PER_SECOND) / plan.track.timescale);
  const endUs = plan.keyframeUs + durationUs;
  return {
    request: { stream: plan.stream, variant: plan.variant, fromUs: plan.keyframeUs, toUs: endUs, gaps: 'collapse' },
    firstShownUs: plan.keyframeUs,
    lastShownEndUs: endUs,
    durationUs,
    files: [keyframe.file],
    tracks: [
      {
        config: plan.track,
        count: 1,
        decodeTicks: Float64Array.of(0),
        durationTicks: Uint32Array.of(keyframe.durationTicks),
        compositionOffsetTicks: Int32Array.of(0),
        sizeBytes: Uint32Array.of(keyframe.sizeBytes),
        isSync: Uint8Array.of(1),
        fileIndex: Uint32Array.of(0),
        fileOffset: Float64Array.of(keyframe.offset),
        presentationStartTicks: 0,
      },
    ],
    pieces: [{ fromUs: plan.keyframeUs, toUs: endUs, outputStartUs: 0, mediaStartUs: 0 }],
  };
}

/** `?method=`: one of THUMBNAIL_METHODS; nearest when absent. */
export function parseThumbnailMethod(value: unknown): ThumbnailMethod {
  if (value === undefined || value === '') return 'nearest';
  const found = THUMBNAIL_METHODS.find((m) => m === value);
  if (found === undefined) {
    throw invalidArgument('method', `expected one of ${THUMBNAIL_METHODS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return found;
}

/** `?width=`: an even integer of pixels from 16 to 3840; undefined (the frame's own size) when absent. */
export function parseThumbnailWidth(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (
    typeof n !== 'number' ||
    !Number.isInteger(n) ||
    n < THUMBNAIL_MIN_WIDTH ||
    n > THUMBNAIL_MAX_WIDTH ||
    n % 2 !== 0
  ) {
    throw invalidArgument(
      'width',
      `expected an even number of pixels from ${THUMBNAIL_MIN_WIDTH} to ${THUMBNAIL_MAX_WIDTH}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function videoSlots(input: PlanInput): Slot[] {
  const indexById = new Map(input.segments.map((s, i) => [s.id, i]));
  const slots: Slot[] = [];
  for (const fragment of input.fragments) {
    const segmentIndex = indexById.get(fragment.segmentId);
    const segment = segmentIndex === undefined ? undefined : input.segments[segmentIndex];
    const track = segment?.tracks.find((t): t is VideoTrackConfig => t.kind === 'video');
    if (segment === undefined || segmentIndex === undefined || track === undefined) continue;
    let parsed: VideoSample[] | undefined;
    slots.push({
      segmentIndex,
      track,
      startUs: fragment.startUs,
      samples: () => (parsed ??= parseVideoSamples(segment, track, fragment.moof, fragment.moofOffset)),
    });
  }
  return slots;
}

function parseVideoSamples(
  segment: SegmentRecord,
  track: VideoTrackConfig,
  moof: Uint8Array,
  moofOffset: number,
): VideoSample[] {
  const file: SegmentFileRef = { root: segment.root, path: segment.path };
  const toUs = (ticks: number): number => segment.startUs + Math.round((ticks * US_PER_SECOND) / track.timescale);
  const out: VideoSample[] = [];
  for (const run of readFragment(moof, [], moofOffset).runs) {
    if (run.trackId !== track.trackId) continue;
    let decodeTicks = run.baseMediaDecodeTime;
    let offset = moofOffset + run.dataOffset;
    for (const s of run.samples) {
      out.push({
        file,
        offset,
        sizeBytes: s.sizeBytes,
        durationTicks: s.durationTicks,
        isSync: s.isSync,
        decodeUs: toUs(decodeTicks),
        presentationUs: toUs(decodeTicks + s.compositionOffsetTicks),
      });
      decodeTicks += s.durationTicks;
      offset += s.sizeBytes;
    }
  }
  return out;
}

interface Found {
  sample: VideoSample;
  slot: number;
  segmentIndex: number;
}

/** The last keyframe shown at or before atUs, searching back from slot `from`. */
function findBefore(slots: readonly Slot[], from: number, atUs: number): Found | undefined {
  for (let i = from; i >= 0; i--) {
    const slot = slots[i]!;
    const samples = slot.samples();
    for (let j = samples.length - 1; j >= 0; j--) {
      const s = samples[j]!;
      if (s.isSync && s.presentationUs <= atUs) return { sample: s, slot: i, segmentIndex: slot.segmentIndex };
    }
  }
  return undefined;
}

/** The first keyframe shown at or after atUs, searching on from slot `from`. */
function findAfter(slots: readonly Slot[], from: number, atUs: number): Found | undefined {
  for (let i = Math.max(0, from); i < slots.length; i++) {
    const slot = slots[i]!;
    const sample = slot.samples().find((s) => s.isSync && s.presentationUs >= atUs);
    if (sample !== undefined) return { sample, slot: i, segmentIndex: slot.segmentIndex };
  }
  return undefined;
}

function nearest(before: Found | undefined, after: Found | undefined, atUs: number): Found | undefined {
  if (before === undefined || after === undefined) return before ?? after;
  return after.sample.presentationUs - atUs < atUs - before.sample.presentationUs ? after : before;
}

function firstSlotOf(slots: readonly Slot[], segmentIndex: number): number {
  const i = slots.findIndex((s) => s.segmentIndex === segmentIndex);
  return i < 0 ? slots.length : i;
}

/** Whether segments first..last follow each other without a gap. */
function contiguous(segments: readonly SegmentRecord[], first: number, last: number): boolean {
  for (let i = first; i < last; i++) {
    if (segments[i + 1]!.startUs - segments[i]!.endUs > DEFAULT_GAP_TOLERANCE_US) return false;
  }
  return true;
}

/**
 * The samples to decode, in decode order, from the keyframe up to the frame
 * shown at or before atUs (or the keyframe itself). Frames decoded later than
 * atUs are shown later too, so the walk stops there; it also stops where the
 * decoder configuration changes, since one decoder is opened for the chain.
 */
function decodeChain(slots: readonly Slot[], keyframe: Found, atUs: number): VideoSample[] {
  const { track } = slots[keyframe.slot]!;
  const walked: VideoSample[] = [];
  outer: for (let i = keyframe.slot; i < slots.length; i++) {
    const slot = slots[i]!;
    if (!sameBytes(slot.track.decoderConfig, track.decoderConfig)) break;
    const samples = slot.samples();
    const first = i === keyframe.slot ? samples.indexOf(keyframe.sample) : 0;
    for (let j = first; j < samples.length; j++) {
      const s = samples[j]!;
      if (s !== keyframe.sample && s.decodeUs > atUs) break outer;
      walked.push(s);
    }
  }
  let target = 0;
  walked.forEach((s, i) => {
    if (s.presentationUs <= atUs && s.presentationUs > walked[target]!.presentationUs) target = i;
  });
  return walked.slice(0, target + 1);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
}
