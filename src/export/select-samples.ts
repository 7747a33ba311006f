/**
 * The pure planner: index rows + a range → the samples an export copies, on
 * one continuous output timeline. No I/O; every builder (MP4, fMP4, TS, HLS)
 * works from its result.
 *
 * Wall-clock instant of a sample: a segment's tfdt 0 (of every track) is
 * `segment.startUs`, so a sample is presented at
 * `segment.startUs + (tfdt + Σ earlier durations in the run + composition offset) / timescale`.
 * All selection (first shown frame, pre-roll, end, audio trim, gaps) is done on
 * that axis, and output decode times are derived from it, never by summing
 * durations across segments: rounding cannot drift over hours.
 */
import { DEFAULT_GAP_TOLERANCE_US } from '../archive/ranges.js';
import type { FragmentRecord, SegmentRecord } from '../archive/types.js';
import { invalidArgument, VigilError } from '../errors.js';
import type { TrackConfig } from '../mp4/types.js';
import { usToIso } from '../time.js';
import { SampleColumns, SegmentParser, samplesIn, type SegmentSamples } from './sample-columns.js';
import { codecChangedError, sameLayout, trackLayoutOf, type TrackLayout } from './track-layout.js';
import type {
  ExportRequest,
  PlanInput,
  RecordedPiece,
  SampleSelection,
  SegmentFileRef,
  TrackSamples,
} from './types.js';

export interface SelectOptions {
  /** A break between segments longer than this starts a new piece (default: the archive's 1.5 s). */
  gapToleranceUs?: number;
}

const US = 1_000_000;
/**
 * How long after its segment's last decode time a frame may still be shown. With B-frames the
 * frames decoded last in a segment are shown after the next segment's first decode time (two
 * frames with x264's defaults); H.264 reorders at most 16 frames, 2 s down to 8 fps.
 */
export const REORDER_TAIL_US = 2 * US;

/** A segment of the plan with its parsed samples. */
export interface PlannedSegment {
  segment: SegmentRecord;
  samples: SegmentSamples;
}

/** Fragments [fromFragment, toFragment) of one segment, in the window a plan reads. */
interface WindowPart extends PlannedSegment {
  fromFragment: number;
  toFragment: number;
}

interface Gathered {
  originUs: number;
  layout: TrackLayout;
  files: SegmentFileRef[];
  segmentCount: number;
  video: SampleColumns;
  audio: SampleColumns;
}

interface Piece {
  /** First timing-track sample of the piece (index into the gathered columns). */
  startIndex: number;
  /** Timing-track ticks removed from the timeline before this piece. */
  collapseTicks: number;
  fromUs: number;
  toUs: number;
}

export function selectSamples(input: PlanInput, request: ExportRequest, options: SelectOptions = {}): SampleSelection {
  const segments = segmentsToPlan(input.segments, request.fromUs, request.toUs);
  const bySegment = new Map<number, FragmentRecord[]>(segments.map((s) => [s.id, []]));
  for (const f of input.fragments) bySegment.get(f.segmentId)?.push(f);
  const parser = new SegmentParser();
  const planned = segments.map((segment) => ({ segment, samples: parser.parse(segment, bySegment.get(segment.id)!) }));
  return selectFromSegments(planned, request, options);
}

/**
 * The segments a plan reads, by start: those overlapping [from, to) with a positive length, and
 * those that end less than REORDER_TAIL_US before `from` (their last frames may be shown at `from`).
 * Index queries for a plan ask from `from - REORDER_TAIL_US` for the same reason.
 */
export function segmentsToPlan(segments: readonly SegmentRecord[], fromUs: number, toUs: number): SegmentRecord[] {
  return segments
    .filter((s) => s.endUs > fromUs - REORDER_TAIL_US && s.startUs < toUs && s.endUs > s.startUs)
    .sort((a, b) => a.startUs - b.startUs || a.id - b.id);
}

/** `selectSamples` over segments already parsed (`segmentsToPlan`'s segments, in its order). */
export function selectFromSegments(
  planned: readonly PlannedSegment[],
  request: ExportRequest,
  options: SelectOptions = {},
): SampleSelection {
  const { fromUs, toUs } = request;
  if (!(toUs > fromUs)) {
    throw invalidArgument(
      'duration',
      `expected a positive duration, got ${(toUs - fromUs) / US} s (${usToIso(fromUs)} to ${usToIso(toUs)})`,
    );
  }
  const tolerance = options.gapToleranceUs ?? DEFAULT_GAP_TOLERANCE_US;
  const { parts: window, minShownUs } = fragmentWindow(planned, fromUs, toUs);
  if (window.length === 0) throw notRecorded(request);
  checkLayouts(window, fromUs, toUs);
  const g = gather(window);

  const timingIsVideo = g.layout.video !== undefined && g.video.count > 0;
  const timing = timingIsVideo ? g.video : g.audio;
  const timingConfig = (timingIsVideo ? g.layout.video : g.layout.audio) as TrackConfig;
  const ts = timingConfig.timescale;
  const timingPts = presentationColumn(timing, ts, g.originUs);

  const span = timingSpan(timing, timingPts, fromUs, toUs, minShownUs, timingIsVideo);
  if (span === undefined) throw notRecorded(request);
  const { first, shown, last } = span;
  const firstShownUs = timingIsVideo ? timingPts[shown]! : Math.max(fromUs, timingPts[shown]!);

  const { pieces, pieceOfSegment } = findPieces(timing, ts, first, last, g.segmentCount, tolerance);
  for (let i = first; i <= last; i++) {
    const p = pieces[pieceOfSegment[timing.segment[i]!]!]!;
    const start = timingPts[i]!;
    if (start >= toUs) continue;
    const end = start + (timing.durationTicks[i]! * US) / ts;
    p.fromUs = Math.min(p.fromUs, start);
    p.toUs = Math.max(p.toUs, end);
  }
  pieces[0]!.fromUs = firstShownUs;
  pieces.forEach((p, k) => {
    // A piece whose samples are all presented after `to` (B-frames at the very end) shows nothing.
    if (!Number.isFinite(p.toUs)) p.fromUs = p.toUs = k > 0 ? pieces[k - 1]!.toUs : firstShownUs;
  });

  const collapseUs = pieces.map((p) => (p.collapseTicks * US) / ts);
  const tracks: TrackSamples[] = [];
  let nextTrackId = 1;
  const timingBaseTicks = timing.wallDecodeTicks[first]!;
  const timingPresentation = Math.round(timing.wallDecodeTicks[shown]! + timing.compositionOffsetTicks[shown]!);
  tracks.push(
    outputTrack(timing, { ...timingConfig, trackId: nextTrackId++ }, first, last, pieceOfSegment, (p) => {
      return pieces[p]!.collapseTicks;
    }),
  );
  tracks[0]!.presentationStartTicks = timingIsVideo
    ? timingPresentation - timingBaseTicks
    : Math.round(((firstShownUs - timingPts[first]!) * ts) / US);

  if (timingIsVideo && g.layout.audio !== undefined) {
    const a = g.layout.audio;
    const audio = g.audio;
    const audioPts = presentationColumn(audio, a.timescale, g.originUs);
    let a0 = -1;
    let a1 = -1;
    for (let i = 0; i < audio.count; i++) {
      const start = audioPts[i]!;
      if (a0 < 0 && start + (audio.durationTicks[i]! * US) / a.timescale > firstShownUs) a0 = i;
      if (start < toUs) a1 = i;
    }
    if (a0 >= 0 && a1 >= a0) {
      const track = outputTrack(audio, { ...a, trackId: nextTrackId++ }, a0, a1, pieceOfSegment, (p) =>
        Math.round((collapseUs[p]! * a.timescale) / US),
      );
      const collapsedUs = collapseUs[pieceOfSegment[audio.segment[a0]!]!]!;
      track.presentationStartTicks = audioStartTicks(firstShownUs, audioPts[a0]!, collapsedUs, a.timescale);
      tracks.push(track);
    }
  }

  const baseWallUs = g.originUs + (timingBaseTicks * US) / ts;
  const lastShownEndUs = pieces[pieces.length - 1]!.toUs;
  let collapsedStartUs = 0;
  const recorded: RecordedPiece[] = pieces.map((p, k) => {
    const piece: RecordedPiece = {
      fromUs: p.fromUs,
      toUs: p.toUs,
      outputStartUs: request.gaps === 'keep' ? p.fromUs - firstShownUs : collapsedStartUs,
      mediaStartUs: p.fromUs - collapseUs[k]! - baseWallUs,
    };
    collapsedStartUs += p.toUs - p.fromUs;
    return piece;
  });
  return {
    request,
    firstShownUs,
    lastShownEndUs,
    durationUs: request.gaps === 'keep' ? lastShownEndUs - firstShownUs : collapsedStartUs,
    files: g.files,
    tracks,
    pieces: recorded,
  };
}

/**
 * The audio track's presentation start: the part of its first frame before the first shown instant
 * (≥ 0), or, negative, how long after that instant the audio begins (audio that starts after the
 * video: builders turn it into an empty edit, or a later decode time, so A/V sync is kept). Both
 * are measured on the output timeline, so a first frame in a later piece counts the gaps collapsed
 * before it. A delay below the edit list's resolution (1 ms) is not worth an edit and stays 0.
 */
function audioStartTicks(firstShownUs: number, firstAudioUs: number, collapsedUs: number, timescale: number): number {
  const ticks = Math.round(((firstShownUs - firstAudioUs + collapsedUs) * timescale) / US);
  return ticks > -timescale / 1000 ? Math.max(0, ticks) : ticks;
}

function notRecorded(request: ExportRequest): VigilError {
  return new VigilError(
    'RANGE_NOT_RECORDED',
    `${request.stream}: nothing is recorded from ${usToIso(request.fromUs)} to ${usToIso(request.toUs)}`,
    { field: 'from' },
  );
}

/**
 * The fragments to read, in order: from the last fragment that starts on a keyframe at or before
 * `from` (plus the one before it in the same segment, for an audio frame that straddles the cut)
 * to the last fragment starting before `to`. Segments that end at or before `from` are not
 * searched, but when the cut is a segment's first fragment, the previous segment's last GOP is
 * read too (its B-frame tail may be shown at `from`); `minShownUs` then keeps frames shown before
 * the cut segment's start (before a gap) from being taken as the first frame.
 */
function fragmentWindow(
  planned: readonly PlannedSegment[],
  fromUs: number,
  toUs: number,
): { parts: WindowPart[]; minShownUs: number } {
  const none = { parts: [], minShownUs: -Infinity };
  // Fragments in plan order are (segment j, fragment k); find the first and last as such pairs.
  let firstJ = -1;
  let firstK = 0;
  scan: for (let j = 0; j < planned.length; j++) {
    const f = planned[j]!.samples;
    if (planned[j]!.segment.endUs <= fromUs) continue;
    for (let k = 0; k < f.fragmentCount; k++) {
      // The very first fragment, unless one starting on a keyframe follows at or before `from`.
      if (firstJ < 0) {
        firstJ = j;
        firstK = k;
      }
      if (f.fragmentStartUs[k]! > fromUs) break scan;
      if (f.fragmentStartsWithKeyframe[k] === 1) {
        firstJ = j;
        firstK = k;
      }
    }
  }
  if (firstJ < 0) return none;
  let lastJ = -1;
  let lastK = 0;
  last: for (let j = planned.length - 1; j >= firstJ; j--) {
    const f = planned[j]!.samples;
    for (let k = f.fragmentCount - 1; k >= (j === firstJ ? firstK : 0); k--) {
      if (f.fragmentStartUs[k]! < toUs) {
        lastJ = j;
        lastK = k;
        break last;
      }
    }
  }
  if (lastJ < 0) return none;
  const parts: WindowPart[] = [];
  const cut = planned[firstJ]!;
  const tail = firstK === 0 && fromUs >= cut.segment.startUs ? lastGop(planned[firstJ - 1], cut, fromUs) : undefined;
  if (tail !== undefined) parts.push(tail);
  for (let j = firstJ; j <= lastJ; j++) {
    const p = planned[j]!;
    if (p.samples.fragmentCount === 0) continue;
    const fromFragment = j === firstJ ? Math.max(0, firstK - 1) : 0;
    const toFragment = j === lastJ ? lastK + 1 : p.samples.fragmentCount;
    parts.push({ ...p, fromFragment, toFragment });
  }
  return { parts, minShownUs: tail === undefined ? -Infinity : cut.segment.startUs };
}

/**
 * The fragments of `p`, a segment that ended by `from`, from its last one that starts on a keyframe
 * to its end; none without one, or when its codec differs from the next segment's (none of its
 * frames is shown after the change), or when it overlaps `from` (it was searched already).
 */
function lastGop(p: PlannedSegment | undefined, next: PlannedSegment, fromUs: number): WindowPart | undefined {
  if (p === undefined || p.segment.endUs > fromUs) return undefined;
  if (!sameLayout(trackLayoutOf(p.segment), trackLayoutOf(next.segment))) return undefined;
  const k = p.samples.fragmentStartsWithKeyframe.lastIndexOf(1);
  return k < 0 ? undefined : { ...p, fromFragment: k, toFragment: p.samples.fragmentCount };
}

function checkLayouts(window: WindowPart[], fromUs: number, toUs: number): void {
  const reference = trackLayoutOf(window[0]!.segment);
  for (const { segment } of window.slice(1)) {
    const layout = trackLayoutOf(segment);
    if (!sameLayout(reference, layout)) {
      throw codecChangedError(fromUs, toUs, Math.max(fromUs, segment.startUs), reference, layout);
    }
  }
}

/** The window's samples on one axis: tick 0 of each track is the first segment's start. */
function gather(window: WindowPart[]): Gathered {
  const originUs = window[0]!.segment.startUs;
  const layout = trackLayoutOf(window[0]!.segment);
  let videoCount = 0;
  let audioCount = 0;
  for (const { samples, fromFragment, toFragment } of window) {
    if (layout.video && samples.video) videoCount += samplesIn(samples.video, fromFragment, toFragment);
    if (layout.audio && samples.audio) audioCount += samplesIn(samples.audio, fromFragment, toFragment);
  }
  const video = new SampleColumns(videoCount);
  const audio = new SampleColumns(audioCount);
  const files: SegmentFileRef[] = [];
  window.forEach(({ segment, samples, fromFragment, toFragment }, ordinal) => {
    files.push({ root: segment.root, path: segment.path });
    const sinceOriginUs = segment.startUs - originUs;
    if (layout.video && samples.video) {
      const originTicks = Math.round((sinceOriginUs * layout.video.timescale) / US);
      video.append(samples.video, fromFragment, toFragment, originTicks, ordinal);
    }
    if (layout.audio && samples.audio) {
      const originTicks = Math.round((sinceOriginUs * layout.audio.timescale) / US);
      audio.append(samples.audio, fromFragment, toFragment, originTicks, ordinal);
    }
  });
  return { originUs, layout, files, segmentCount: files.length, video, audio };
}

/** Wall-clock presentation instant (µs) of every sample of a track, computed once. */
function presentationColumn(c: SampleColumns, timescale: number, originUs: number): Float64Array {
  const out = new Float64Array(c.count);
  for (let i = 0; i < c.count; i++) {
    out[i] = originUs + ((c.wallDecodeTicks[i]! + c.compositionOffsetTicks[i]!) * US) / timescale;
  }
  return out;
}

/**
 * On the timing track: `shown` is the last sample presented at or before `from` (or the first one
 * presented when `from` is before the recording), `first` the sync sample at or before it in decode
 * order, `last` the last sample in decode order presented before `to`. Samples presented before
 * `minShownUs` are never `shown` (a previous segment's frames before a gap).
 */
function timingSpan(
  c: SampleColumns,
  ptsColumn: Float64Array,
  fromUs: number,
  toUs: number,
  minShownUs: number,
  isVideo: boolean,
): { first: number; shown: number; last: number } | undefined {
  const pts = (i: number): number => ptsColumn[i]!;
  let shown = -1;
  let earliest = -1;
  for (let i = 0; i < c.count; i++) {
    const p = pts(i);
    if (p < minShownUs) continue;
    if (p <= fromUs && (shown < 0 || p > pts(shown))) shown = i;
    if (p < toUs && (earliest < 0 || p < pts(earliest))) earliest = i;
  }
  if (shown < 0) shown = earliest;
  if (shown < 0) return undefined;
  let first = shown;
  while (first >= 0 && c.isSync[first] !== 1) first--;
  if (first < 0) {
    // The window starts mid-GOP with no keyframe before the frame: begin at the first keyframe.
    first = c.isSync.subarray(0, c.count).indexOf(1);
    if (first < 0) return undefined;
    shown = first;
    for (let i = first; i < c.count; i++) if (pts(i) < pts(shown)) shown = i;
  }
  let last = -1;
  for (let i = c.count - 1; i >= first; i--) {
    if (pts(i) < toUs) {
      last = i;
      break;
    }
  }
  if (last < first || (isVideo && pts(shown) >= toUs)) return undefined;
  return { first, shown, last };
}

/** Splits the timing track's [first, last] at breaks between segments longer than the gap tolerance. */
function findPieces(
  c: SampleColumns,
  timescale: number,
  first: number,
  last: number,
  segmentCount: number,
  toleranceUs: number,
): { pieces: Piece[]; pieceOfSegment: Int32Array } {
  const pieces: Piece[] = [{ startIndex: first, collapseTicks: 0, fromUs: Infinity, toUs: -Infinity }];
  const pieceOfSegment = new Int32Array(segmentCount).fill(-1);
  for (let s = 0; s <= c.segment[first]!; s++) pieceOfSegment[s] = 0;
  let collapse = 0;
  for (let i = first + 1; i <= last; i++) {
    const segment = c.segment[i]!;
    if (segment === c.segment[i - 1]) continue;
    const gapTicks = c.wallDecodeTicks[i]! - (c.wallDecodeTicks[i - 1]! + c.durationTicks[i - 1]!);
    if ((gapTicks * US) / timescale > toleranceUs) {
      collapse += gapTicks;
      pieces.push({ startIndex: i, collapseTicks: collapse, fromUs: Infinity, toUs: -Infinity });
    }
    pieceOfSegment[segment] = pieces.length - 1;
  }
  for (let s = 1; s < segmentCount; s++) if (pieceOfSegment[s]! < 0) pieceOfSegment[s] = pieceOfSegment[s - 1]!;
  return { pieces, pieceOfSegment };
}

/**
 * Output columns for samples [a, b]: decode times from wall-clock positions minus the gaps
 * collapsed before each sample's piece, forced strictly increasing; each duration is the distance
 * to the next sample, so the timeline has no holes and no drift. The last keeps its own duration.
 */
function outputTrack(
  c: SampleColumns,
  config: TrackConfig,
  a: number,
  b: number,
  pieceOfSegment: Int32Array,
  collapseTicksOf: (piece: number) => number,
): TrackSamples {
  const count = b - a + 1;
  const decodeTicks = new Float64Array(count);
  const durationTicks = new Uint32Array(count);
  const base = c.wallDecodeTicks[a]! - collapseTicksOf(pieceOfSegment[c.segment[a]!]!);
  let lastPiece = -1;
  let collapse = 0;
  for (let j = 0; j < count; j++) {
    const i = a + j;
    const piece = pieceOfSegment[c.segment[i]!]!;
    if (piece !== lastPiece) {
      lastPiece = piece;
      collapse = collapseTicksOf(piece);
    }
    let t = c.wallDecodeTicks[i]! - collapse - base;
    if (j > 0) {
      if (t <= decodeTicks[j - 1]!) t = decodeTicks[j - 1]! + 1;
      durationTicks[j - 1] = t - decodeTicks[j - 1]!;
    }
    decodeTicks[j] = t;
  }
  durationTicks[count - 1] = c.durationTicks[b]!;
  return {
    config,
    count,
    decodeTicks,
    durationTicks,
    // Views, not copies: the gathered columns exist for this selection only (a day is millions of rows).
    compositionOffsetTicks: c.compositionOffsetTicks.subarray(a, b + 1),
    sizeBytes: c.sizeBytes.subarray(a, b + 1),
    isSync: c.isSync.subarray(a, b + 1),
    fileIndex: c.fileIndex.subarray(a, b + 1),
    fileOffset: c.fileOffset.subarray(a, b + 1),
    presentationStartTicks: 0,
  };
}
