/**
 * A moof's samples without building an object per sample: the planner reads
 * thousands of moofs per request (an hour is ~1800 of them, 250 k samples),
 * and `readFragment`'s objects would dominate its time and garbage. Same
 * defaults and data-offset rules as `readFragment`, which stays the readable
 * reference (the test checks that all three agree).
 *
 * `visitFragment` calls back per sample; `visitFragmentColumns` writes a run's
 * samples straight into typed-array columns the caller hands it, with no call
 * per sample (the planner's path).
 */
import { VigilError } from '../errors.js';
import {
  SAMPLE_IS_NON_SYNC,
  TFHD_BASE_DATA_OFFSET_PRESENT,
  TFHD_DEFAULT_BASE_IS_MOOF,
  TFHD_DEFAULT_SAMPLE_DURATION_PRESENT,
  TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT,
  TFHD_DEFAULT_SAMPLE_SIZE_PRESENT,
  TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT,
  TRUN_DATA_OFFSET_PRESENT,
  TRUN_FIRST_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT,
  TRUN_SAMPLE_DURATION_PRESENT,
  TRUN_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_SIZE_PRESENT,
} from './flags.js';
import { fourcc } from './fourcc.js';
import type { TrackDefaults } from './types.js';

export interface FragmentVisitor {
  /** A run starts (data offset relative to the moof's first byte); return false to skip its samples. */
  run(trackId: number, baseMediaDecodeTime: number, dataOffset: number, sampleCount: number): boolean;
  sample(durationTicks: number, sizeBytes: number, isSync: boolean, compositionOffsetTicks: number): void;
}

/** Where a run's samples go: row `at` onwards of each column (the caller has made room for the run). */
export interface RunColumns {
  durationTicks: Uint32Array;
  sizeBytes: Uint32Array;
  compositionOffsetTicks: Int32Array;
  /** 1 for a sync sample. */
  isSync: Uint8Array;
  at: number;
}

export interface FragmentColumnsVisitor {
  /** A run starts (data offset as in FragmentVisitor); return where its samples go, or undefined to skip them. */
  run(trackId: number, baseMediaDecodeTime: number, dataOffset: number, sampleCount: number): RunColumns | undefined;
}

/** Full-box header: version (1 byte) and flags (3 bytes). */
const FULL_BOX_FIELDS = 4;

/** One trun's header and where its rows are, handed to a row decoder. Reused for every trun. */
interface Trun {
  moof: Uint8Array;
  trackId: number;
  decodeTime: number;
  dataOffset: number;
  count: number;
  flags: number;
  /** Version 1: composition offsets are signed. */
  signed: boolean;
  /** Offset of the first row in the moof. */
  rowsAt: number;
  /** The first sample's flags, or −1 when the trun has none. */
  firstFlags: number;
  defaultDuration: number;
  defaultSize: number;
  defaultFlags: number;
}

/** Decodes a trun's rows; returns the run's total duration and bytes (the next run's decode time and offset). */
type RowDecoder = (t: Trun) => { durationTicks: number; sizeBytes: number };

export function visitFragment(
  moof: Uint8Array,
  visitor: FragmentVisitor,
  trexDefaults: readonly TrackDefaults[] = [],
  moofFileOffset = 0,
): void {
  const totals = { durationTicks: 0, sizeBytes: 0 };
  const view = new DataView(moof.buffer, moof.byteOffset, moof.byteLength);
  walkRuns(moof, trexDefaults, moofFileOffset, (t) => {
    const wanted = visitor.run(t.trackId, t.decodeTime, t.dataOffset, t.count);
    const { flags, count } = t;
    let p = t.rowsAt;
    let duration = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      let d = t.defaultDuration;
      let size = t.defaultSize;
      let sampleFlags = i === 0 && t.firstFlags >= 0 ? t.firstFlags : t.defaultFlags;
      let composition = 0;
      if (flags & TRUN_SAMPLE_DURATION_PRESENT) {
        d = view.getUint32(p);
        p += 4;
      }
      if (flags & TRUN_SAMPLE_SIZE_PRESENT) {
        size = view.getUint32(p);
        p += 4;
      }
      if (flags & TRUN_SAMPLE_FLAGS_PRESENT) {
        const own = view.getUint32(p);
        p += 4;
        if (!(i === 0 && t.firstFlags >= 0)) sampleFlags = own;
      }
      if (flags & TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT) {
        composition = t.signed ? view.getInt32(p) : view.getUint32(p);
        p += 4;
      }
      if (wanted) visitor.sample(d, size, (sampleFlags & SAMPLE_IS_NON_SYNC) === 0, composition);
      duration += d;
      bytes += size;
    }
    totals.durationTicks = duration;
    totals.sizeBytes = bytes;
    return totals;
  });
}

/** Like visitFragment, but each wanted run's samples are written into the columns `run` returns. */
export function visitFragmentColumns(
  moof: Uint8Array,
  visitor: FragmentColumnsVisitor,
  trexDefaults: readonly TrackDefaults[] = [],
  moofFileOffset = 0,
): void {
  const totals = { durationTicks: 0, sizeBytes: 0 };
  walkRuns(moof, trexDefaults, moofFileOffset, (t) => {
    const out = visitor.run(t.trackId, t.decodeTime, t.dataOffset, t.count);
    if (out === undefined) return runTotals(t, totals);
    const m = new DataView(t.moof.buffer, t.moof.byteOffset, t.moof.byteLength);
    const flags = t.flags;
    const count = t.count;
    const at = out.at;
    const hasDuration = (flags & TRUN_SAMPLE_DURATION_PRESENT) !== 0;
    const hasSize = (flags & TRUN_SAMPLE_SIZE_PRESENT) !== 0;
    const hasFlags = (flags & TRUN_SAMPLE_FLAGS_PRESENT) !== 0;
    const hasComposition = (flags & TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT) !== 0;
    const { durationTicks: dur, sizeBytes: sizes, compositionOffsetTicks: cto, isSync } = out;
    const defaultSync = (t.defaultFlags & SAMPLE_IS_NON_SYNC) === 0 ? 1 : 0;
    let p = t.rowsAt;
    let duration = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const row = at + i;
      let d = t.defaultDuration;
      if (hasDuration) {
        d = m.getUint32(p);
        p += 4;
      }
      let size = t.defaultSize;
      if (hasSize) {
        size = m.getUint32(p);
        p += 4;
      }
      let sync = defaultSync;
      if (hasFlags) {
        sync = (m.getUint32(p) & SAMPLE_IS_NON_SYNC) === 0 ? 1 : 0;
        p += 4;
      }
      // Unsigned offsets above 2^31 wrap in the Int32 column, as they would in any signed reader.
      let composition = 0;
      if (hasComposition) {
        composition = m.getInt32(p);
        p += 4;
      }
      dur[row] = d;
      sizes[row] = size;
      isSync[row] = sync;
      cto[row] = composition;
      duration += d;
      bytes += size;
    }
    if (t.firstFlags >= 0 && count > 0) isSync[at] = (t.firstFlags & SAMPLE_IS_NON_SYNC) === 0 ? 1 : 0;
    totals.durationTicks = duration;
    totals.sizeBytes = bytes;
    return totals;
  });
}

function u32(m: Uint8Array, p: number): number {
  return ((m[p]! << 24) | (m[p + 1]! << 16) | (m[p + 2]! << 8) | m[p + 3]!) >>> 0;
}

/** A skipped run still moves the traf's decode time and data offset on. */
function runTotals(t: Trun, totals: { durationTicks: number; sizeBytes: number }): typeof totals {
  const hasDuration = (t.flags & TRUN_SAMPLE_DURATION_PRESENT) !== 0;
  const hasSize = (t.flags & TRUN_SAMPLE_SIZE_PRESENT) !== 0;
  const stride = rowBytesOf(t.flags);
  let duration = hasDuration ? 0 : t.defaultDuration * t.count;
  let bytes = hasSize ? 0 : t.defaultSize * t.count;
  let p = t.rowsAt;
  for (let i = 0; i < t.count && (hasDuration || hasSize); i++, p += stride) {
    if (hasDuration) duration += u32(t.moof, p);
    if (hasSize) bytes += u32(t.moof, p + (hasDuration ? 4 : 0));
  }
  totals.durationTicks = duration;
  totals.sizeBytes = bytes;
  return totals;
}

function rowBytesOf(flags: number): number {
  return (
    4 *
    (((flags & TRUN_SAMPLE_DURATION_PRESENT) !== 0 ? 1 : 0) +
      ((flags & TRUN_SAMPLE_SIZE_PRESENT) !== 0 ? 1 : 0) +
      ((flags & TRUN_SAMPLE_FLAGS_PRESENT) !== 0 ? 1 : 0) +
      ((flags & TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT) !== 0 ? 1 : 0))
  );
}

const TWO_32 = 2 ** 32;
const SIZE_TO_END = 0;
const SIZE_IS_LARGESIZE = 1;

function typeCode(type: string): number {
  return (
    ((type.charCodeAt(0) << 24) | (type.charCodeAt(1) << 16) | (type.charCodeAt(2) << 8) | type.charCodeAt(3)) >>> 0
  );
}

const MOOF = typeCode(fourcc.moof);
const TRAF = typeCode(fourcc.traf);
const TFHD = typeCode(fourcc.tfhd);
const TFDT = typeCode(fourcc.tfdt);
const TRUN = typeCode(fourcc.trun);

/** An unsigned 64-bit field as the nearest number (what Number(BigInt) gives, without the BigInt). */
function u64(view: DataView, at: number): number {
  return view.getUint32(at) * TWO_32 + view.getUint32(at + 4);
}

/**
 * Steps through sibling boxes without an object or string per box (a planner walks ~10 boxes in
 * each of thousands of moofs). Same size rules as scanBoxes: size 0 runs to the limit, size 1
 * has a 64-bit largesize, and a box running past the limit is the last one.
 */
class BoxCursor {
  /** The four-CC as a big-endian u32. */
  type = 0;
  body = 0;
  /** Just past the box's declared end (may lie beyond the limit). */
  end = 0;

  constructor(private readonly view: DataView) {}

  /** Moves to the box at `at`; false when no whole header fits before `limit`. */
  read(at: number, limit: number): boolean {
    if (at + 8 > limit) return false;
    let size = this.view.getUint32(at);
    let header = 8;
    if (size === SIZE_IS_LARGESIZE) {
      if (at + 16 > limit) return false;
      size = u64(this.view, at + 8);
      if (size > Number.MAX_SAFE_INTEGER) {
        throw new VigilError('MEDIA_INVALID', `box "${this.typeName(at)}" at ${at}: largesize is larger than 2^53`);
      }
      header = 16;
    } else if (size === SIZE_TO_END) {
      size = limit - at;
    }
    if (size < header) {
      throw new VigilError(
        'MEDIA_INVALID',
        `box "${this.typeName(at)}" at ${at}: size ${size} is smaller than its header`,
      );
    }
    this.type = this.view.getUint32(at + 4);
    this.body = at + header;
    this.end = at + size;
    return true;
  }

  private typeName(at: number): string {
    let name = '';
    for (let i = 4; i < 8; i++) name += String.fromCharCode(this.view.getUint8(at + i));
    return name;
  }
}

/** Parses every traf/tfhd/tfdt/trun header and hands each trun to `rows`, in order. */
function walkRuns(
  moof: Uint8Array,
  trexDefaults: readonly TrackDefaults[],
  moofFileOffset: number,
  rows: RowDecoder,
): void {
  const view = new DataView(moof.buffer, moof.byteOffset, moof.byteLength);
  const length = moof.length;
  const top = new BoxCursor(view);
  const hasTop = top.read(0, length);
  if (!hasTop || top.type !== MOOF) {
    const found = hasTop ? String.fromCharCode(...moof.subarray(4, 8)) : '';
    throw new VigilError('MEDIA_INVALID', `moof: buffer starts with "${found}", not a moof`);
  }
  const t: Trun = {
    moof,
    trackId: 0,
    decodeTime: 0,
    dataOffset: 0,
    count: 0,
    flags: 0,
    signed: false,
    rowsAt: 0,
    firstFlags: -1,
    defaultDuration: 0,
    defaultSize: 0,
    defaultFlags: 0,
  };
  const traf = new BoxCursor(view);
  const child = new BoxCursor(view);
  const topEnd = Math.min(top.end, length);
  let previousTrafEnd = 0;
  for (let more = traf.read(top.body, topEnd); more; more = traf.read(traf.end, topEnd)) {
    if (traf.type !== TRAF) continue;
    const trafEnd = Math.min(traf.end, length);
    let tfhdAt = -1;
    let tfdtAt = -1;
    for (let c = child.read(traf.body, trafEnd); c; c = child.read(child.end, trafEnd)) {
      if (child.type === TFHD && tfhdAt < 0) tfhdAt = child.body;
      else if (child.type === TFDT && tfdtAt < 0) tfdtAt = child.body;
    }
    if (tfhdAt < 0) throw new VigilError('MEDIA_INVALID', 'traf: no tfhd');

    let at = tfhdAt;
    const tfhdFlags = view.getUint32(at) & 0xffffff;
    at += FULL_BOX_FIELDS;
    const trackId = view.getUint32(at);
    at += 4;
    if (tfdtAt < 0) throw new VigilError('MEDIA_INVALID', `traf of track ${trackId}: no tfdt`);
    let baseDataOffset: number | undefined;
    if (tfhdFlags & TFHD_BASE_DATA_OFFSET_PRESENT) {
      baseDataOffset = u64(view, at);
      at += 8;
    }
    if (tfhdFlags & TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT) at += 4;
    const trex = trexDefaults.length === 0 ? undefined : trexDefaults.find((d) => d.trackId === trackId);
    let defaultDuration = trex?.defaultSampleDuration ?? 0;
    let defaultSize = trex?.defaultSampleSize ?? 0;
    let defaultFlags = trex?.defaultSampleFlags ?? 0;
    if (tfhdFlags & TFHD_DEFAULT_SAMPLE_DURATION_PRESENT) {
      defaultDuration = view.getUint32(at);
      at += 4;
    }
    if (tfhdFlags & TFHD_DEFAULT_SAMPLE_SIZE_PRESENT) {
      defaultSize = view.getUint32(at);
      at += 4;
    }
    if (tfhdFlags & TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT) defaultFlags = view.getUint32(at);

    let decodeTime =
      moof[tfdtAt] === 1 ? u64(view, tfdtAt + FULL_BOX_FIELDS) : view.getUint32(tfdtAt + FULL_BOX_FIELDS);
    const base =
      baseDataOffset !== undefined
        ? baseDataOffset - moofFileOffset
        : tfhdFlags & TFHD_DEFAULT_BASE_IS_MOOF
          ? 0
          : previousTrafEnd;
    let next = base;
    for (let c = child.read(traf.body, trafEnd); c; c = child.read(child.end, trafEnd)) {
      if (child.type !== TRUN) continue;
      let p = child.body;
      const signed = moof[p] === 1;
      const flags = view.getUint32(p) & 0xffffff;
      p += FULL_BOX_FIELDS;
      const count = view.getUint32(p);
      p += 4;
      let dataOffset = next;
      if (flags & TRUN_DATA_OFFSET_PRESENT) {
        dataOffset = base + view.getInt32(p);
        p += 4;
      }
      let firstFlags = -1;
      if (flags & TRUN_FIRST_SAMPLE_FLAGS_PRESENT) {
        firstFlags = view.getUint32(p);
        p += 4;
      }
      if (p + rowBytesOf(flags) * count > child.end) {
        throw new VigilError('MEDIA_INVALID', `trun of track ${trackId}: ${count} samples do not fit the box`);
      }
      t.trackId = trackId;
      t.decodeTime = decodeTime;
      t.dataOffset = dataOffset;
      t.count = count;
      t.flags = flags;
      t.signed = signed;
      t.rowsAt = p;
      t.firstFlags = firstFlags;
      t.defaultDuration = defaultDuration;
      t.defaultSize = defaultSize;
      t.defaultFlags = defaultFlags;
      const run = rows(t);
      decodeTime += run.durationTicks;
      next = dataOffset + run.sizeBytes;
    }
    previousTrafEnd = next;
  }
}
