/**
 * Sample columns the planner works on, in two shapes:
 *
 * - `SegmentSamples`: one segment's samples as parsed from its moofs, on the
 *   segment's own timeline and packed small (a closed segment never changes,
 *   so the plan cache keeps these instead of parsing the moofs again);
 * - `SampleColumns`: the samples of a plan's fragment window, unpacked onto one
 *   wall-clock axis, which selection reads.
 *
 * A 24 h range has millions of samples: typed arrays, never an object per sample.
 */
import type { FragmentRecord, SegmentRecord } from '../archive/types.js';
import { visitFragmentColumns, type FragmentColumnsVisitor, type RunColumns } from '../mp4/fragment-visit.js';
import { trackLayoutOf } from './track-layout.js';

/** A column stored in the narrowest type that holds it, or as its one value when all rows are equal. */
type PackedUnsigned = number | Uint8Array | Uint16Array | Uint32Array;
type PackedSigned = number | Int8Array | Int16Array | Int32Array;

/** One track of a segment: its samples, and the runs that give their decode times and file offsets. */
export interface TrackRuns {
  sampleCount: number;
  /** First run of each fragment, plus one entry past the last fragment. */
  fragmentFirstRun: Uint32Array;
  /** First sample of each run, plus one entry past the last run. */
  runFirstSample: Uint32Array;
  /** tfdt-based decode time (track ticks) of each run's first sample. */
  runDecodeTicks: Float64Array;
  /** Offset of each run's first payload in the segment file. */
  runFileOffset: Float64Array;
  durationTicks: PackedUnsigned;
  sizeBytes: PackedUnsigned;
  compositionOffsetTicks: PackedSigned;
  /** 1 for a sync sample. */
  isSync: PackedUnsigned;
}

/** A segment's fragments (in sequence order) and the samples of its video and audio track. */
export interface SegmentSamples {
  fragmentCount: number;
  fragmentStartUs: Float64Array;
  /** 1 where the fragment starts with a video keyframe (or has no video). */
  fragmentStartsWithKeyframe: Uint8Array;
  video: TrackRuns | undefined;
  audio: TrackRuns | undefined;
  /** Memory held, for a cache's budget. */
  sizeBytes: number;
}

/** Fixed cost of an entry beyond its arrays (objects, array headers). */
const ENTRY_OVERHEAD_BYTES = 1024;

/** Parses segments' moofs into SegmentSamples, reusing its scratch columns from one segment to the next. */
export class SegmentParser {
  readonly #video = new ScratchTrack();
  readonly #audio = new ScratchTrack();

  /**
   * `fragments`: the segment's fragment rows, in any order (they are put in sequence order).
   * `compact`: store columns in their narrowest type (worth its extra pass only when the result is kept).
   */
  parse(segment: SegmentRecord, fragments: readonly FragmentRecord[], compact = false): SegmentSamples {
    const ordered = [...fragments].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    const layout = trackLayoutOf(segment);
    const video = layout.video === undefined ? undefined : this.#video.reset(layout.video.trackId, ordered.length);
    const audio = layout.audio === undefined ? undefined : this.#audio.reset(layout.audio.trackId, ordered.length);
    const fragmentStartUs = new Float64Array(ordered.length);
    const fragmentStartsWithKeyframe = new Uint8Array(ordered.length);
    const visitor: FragmentColumnsVisitor & { moofOffset: number } = {
      moofOffset: 0,
      run(trackId, baseMediaDecodeTime, dataOffset, sampleCount): RunColumns | undefined {
        const track = trackId === video?.trackId ? video : trackId === audio?.trackId ? audio : undefined;
        return track?.addRun(baseMediaDecodeTime, this.moofOffset + dataOffset, sampleCount);
      },
    };
    ordered.forEach((fragment, k) => {
      fragmentStartUs[k] = fragment.startUs;
      fragmentStartsWithKeyframe[k] = fragment.startsWithKeyframe ? 1 : 0;
      video?.startFragment(k);
      audio?.startFragment(k);
      visitor.moofOffset = fragment.moofOffset;
      visitFragmentColumns(fragment.moof, visitor, [], fragment.moofOffset);
    });
    const samples: SegmentSamples = {
      fragmentCount: ordered.length,
      fragmentStartUs,
      fragmentStartsWithKeyframe,
      video: video?.pack(false, compact),
      // Every audio sample is a sync sample, whatever its flags say.
      audio: audio?.pack(true, compact),
      sizeBytes: 0,
    };
    samples.sizeBytes = segmentSamplesBytes(samples);
    return samples;
  }
}

function segmentSamplesBytes(s: SegmentSamples): number {
  let bytes = ENTRY_OVERHEAD_BYTES + s.fragmentStartUs.byteLength + s.fragmentStartsWithKeyframe.byteLength;
  for (const t of [s.video, s.audio]) {
    if (t === undefined) continue;
    for (const c of [t.fragmentFirstRun, t.runFirstSample, t.runDecodeTicks, t.runFileOffset]) bytes += c.byteLength;
    for (const c of [t.durationTicks, t.sizeBytes, t.compositionOffsetTicks, t.isSync]) {
      if (typeof c !== 'number') bytes += c.byteLength;
    }
  }
  return bytes;
}

/** Full-width growable columns one track's runs are decoded into, before packing. */
class ScratchTrack implements RunColumns {
  trackId = 0;
  /** First row of the run being decoded (RunColumns). */
  at = 0;
  durationTicks = new Uint32Array(0);
  sizeBytes = new Uint32Array(0);
  compositionOffsetTicks = new Int32Array(0);
  isSync = new Uint8Array(0);
  #count = 0;
  #fragmentFirstRun = new Uint32Array(0);
  #runFirstSample: number[] = [];
  #runDecodeTicks: number[] = [];
  #runFileOffset: number[] = [];

  reset(trackId: number, fragmentCount: number): this {
    this.trackId = trackId;
    this.at = 0;
    this.#count = 0;
    this.#fragmentFirstRun = new Uint32Array(fragmentCount + 1);
    this.#runFirstSample = [];
    this.#runDecodeTicks = [];
    this.#runFileOffset = [];
    return this;
  }

  startFragment(k: number): void {
    this.#fragmentFirstRun[k] = this.#runFirstSample.length;
  }

  /** Records a run and makes room for its samples; the returned columns are written from `at`. */
  addRun(decodeTicks: number, fileOffset: number, sampleCount: number): RunColumns {
    this.at = this.#count;
    this.#runFirstSample.push(this.at);
    this.#runDecodeTicks.push(decodeTicks);
    this.#runFileOffset.push(fileOffset);
    this.#count += sampleCount;
    if (this.#count > this.durationTicks.length) {
      this.#grow(Math.max(this.#count, this.durationTicks.length * 2, 1024));
    }
    return this;
  }

  pack(allSync: boolean, compact: boolean): TrackRuns {
    const runs = this.#runFirstSample.length;
    const count = this.#count;
    this.#fragmentFirstRun[this.#fragmentFirstRun.length - 1] = runs;
    const runFirstSample = new Uint32Array(runs + 1);
    runFirstSample.set(this.#runFirstSample);
    runFirstSample[runs] = count;
    return {
      sampleCount: count,
      fragmentFirstRun: this.#fragmentFirstRun,
      runFirstSample,
      runDecodeTicks: Float64Array.from(this.#runDecodeTicks),
      runFileOffset: Float64Array.from(this.#runFileOffset),
      durationTicks: compact ? packUnsigned(this.durationTicks.subarray(0, count)) : this.durationTicks.slice(0, count),
      sizeBytes: compact ? packUnsigned(this.sizeBytes.subarray(0, count)) : this.sizeBytes.slice(0, count),
      compositionOffsetTicks: compact
        ? packSigned(this.compositionOffsetTicks.subarray(0, count))
        : this.compositionOffsetTicks.slice(0, count),
      isSync: allSync ? 1 : compact ? packUnsigned(this.isSync.subarray(0, count)) : this.isSync.slice(0, count),
    };
  }

  #grow(capacity: number): void {
    this.durationTicks = grown(this.durationTicks, new Uint32Array(capacity));
    this.sizeBytes = grown(this.sizeBytes, new Uint32Array(capacity));
    this.compositionOffsetTicks = grown(this.compositionOffsetTicks, new Int32Array(capacity));
    this.isSync = grown(this.isSync, new Uint8Array(capacity));
  }
}

function grown<T extends Uint32Array | Int32Array | Uint8Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

/** Smallest and largest of a non-empty column. */
function rangeOf(values: ArrayLike<number>): [number, number] {
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return [min, max];
}

function packUnsigned(values: Uint32Array | Uint8Array): PackedUnsigned {
  if (values.length === 0) return 0;
  const [min, max] = rangeOf(values);
  if (min === max) return min;
  if (max <= 0xff) return new Uint8Array(values);
  if (max <= 0xffff) return new Uint16Array(values);
  return new Uint32Array(values);
}

function packSigned(values: Int32Array): PackedSigned {
  if (values.length === 0) return 0;
  const [min, max] = rangeOf(values);
  if (min === max) return min;
  if (min >= -0x80 && max <= 0x7f) return new Int8Array(values);
  if (min >= -0x8000 && max <= 0x7fff) return new Int16Array(values);
  return new Int32Array(values);
}

type Column = Float64Array | Uint32Array | Int32Array | Uint8Array;

function unpack(dst: Column, packed: PackedUnsigned | PackedSigned, from: number, to: number, at: number): void {
  if (typeof packed === 'number') dst.fill(packed, at, at + to - from);
  else dst.set(packed.subarray(from, to), at);
}

/** The samples of a plan's fragment window on one axis; sized once, filled segment by segment. */
export class SampleColumns {
  count = 0;
  /** Decode time on the wall-clock axis, in track ticks from the plan's origin (see select-samples.ts). */
  readonly wallDecodeTicks: Float64Array;
  readonly durationTicks: Uint32Array;
  readonly compositionOffsetTicks: Int32Array;
  readonly sizeBytes: Uint32Array;
  readonly isSync: Uint8Array;
  readonly fileIndex: Uint32Array;
  readonly fileOffset: Float64Array;
  /** Ordinal of the segment the sample comes from (in the plan's segment order). */
  readonly segment: Uint32Array;

  constructor(capacity: number) {
    this.wallDecodeTicks = new Float64Array(capacity);
    this.durationTicks = new Uint32Array(capacity);
    this.compositionOffsetTicks = new Int32Array(capacity);
    this.sizeBytes = new Uint32Array(capacity);
    this.isSync = new Uint8Array(capacity);
    this.fileIndex = new Uint32Array(capacity);
    this.fileOffset = new Float64Array(capacity);
    this.segment = new Uint32Array(capacity);
  }

  /**
   * Appends the samples of fragments [fromFragment, toFragment) of one segment's track. Decode
   * times are `originTicks` (where the segment's tfdt 0 lies on the axis) plus the tfdt-based
   * time; file index and segment ordinal are both `ordinal` (one file per segment).
   */
  append(runs: TrackRuns, fromFragment: number, toFragment: number, originTicks: number, ordinal: number): void {
    const r0 = runs.fragmentFirstRun[fromFragment]!;
    const r1 = runs.fragmentFirstRun[toFragment]!;
    const s0 = runs.runFirstSample[r0]!;
    const s1 = runs.runFirstSample[r1]!;
    const at = this.count;
    const end = at + s1 - s0;
    unpack(this.durationTicks, runs.durationTicks, s0, s1, at);
    unpack(this.sizeBytes, runs.sizeBytes, s0, s1, at);
    unpack(this.compositionOffsetTicks, runs.compositionOffsetTicks, s0, s1, at);
    unpack(this.isSync, runs.isSync, s0, s1, at);
    this.fileIndex.fill(ordinal, at, end);
    this.segment.fill(ordinal, at, end);
    const wall = this.wallDecodeTicks;
    const offsets = this.fileOffset;
    const durations = this.durationTicks;
    const sizes = this.sizeBytes;
    for (let r = r0; r < r1; r++) {
      let decode = originTicks + runs.runDecodeTicks[r]!;
      let offset = runs.runFileOffset[r]!;
      const last = at + runs.runFirstSample[r + 1]! - s0;
      for (let i = at + runs.runFirstSample[r]! - s0; i < last; i++) {
        wall[i] = decode;
        offsets[i] = offset;
        decode += durations[i]!;
        offset += sizes[i]!;
      }
    }
    this.count = end;
  }
}

/** Number of samples `append` adds for the same arguments. */
export function samplesIn(runs: TrackRuns, fromFragment: number, toFragment: number): number {
  return (
    runs.runFirstSample[runs.fragmentFirstRun[toFragment]!]! -
    runs.runFirstSample[runs.fragmentFirstRun[fromFragment]!]!
  );
}
