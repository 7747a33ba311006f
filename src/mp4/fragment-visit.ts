/**
 * A moof's samples without building an object per sample: the planner reads
 * thousands of moofs per request (an hour is ~1800 of them, 250 k samples),
 * and `readFragment`'s objects would dominate its time and garbage. Same
 * defaults and data-offset rules as `readFragment`, which stays the readable
 * reference (the test checks that both agree).
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
import { childBoxes, findBox, scanBoxes } from './scan.js';
import type { TrackDefaults } from './types.js';

export interface FragmentVisitor {
  /** A run starts (data offset relative to the moof's first byte); return false to skip its samples. */
  run(trackId: number, baseMediaDecodeTime: number, dataOffset: number, sampleCount: number): boolean;
  sample(durationTicks: number, sizeBytes: number, isSync: boolean, compositionOffsetTicks: number): void;
}

/** Full-box header: version (1 byte) and flags (3 bytes). */
const FULL_BOX_FIELDS = 4;

export function visitFragment(
  moof: Uint8Array,
  visitor: FragmentVisitor,
  trexDefaults: readonly TrackDefaults[] = [],
  moofFileOffset = 0,
): void {
  const top = scanBoxes(moof)[0];
  if (top === undefined || top.type !== fourcc.moof) {
    throw new VigilError('MEDIA_INVALID', `moof: buffer starts with "${top?.type ?? ''}", not a moof`);
  }
  const view = new DataView(moof.buffer, moof.byteOffset, moof.byteLength);
  let previousTrafEnd = 0;
  for (const traf of childBoxes(moof, top)) {
    if (traf.type !== fourcc.traf) continue;
    const boxes = childBoxes(moof, traf);
    const tfhd = findBox(boxes, fourcc.tfhd);
    const tfdt = findBox(boxes, fourcc.tfdt);
    if (tfhd === undefined) throw new VigilError('MEDIA_INVALID', 'traf: no tfhd');

    let at = tfhd.offset + tfhd.headerSize;
    const tfhdFlags = view.getUint32(at) & 0xffffff;
    at += FULL_BOX_FIELDS;
    const trackId = view.getUint32(at);
    at += 4;
    if (tfdt === undefined) throw new VigilError('MEDIA_INVALID', `traf of track ${trackId}: no tfdt`);
    let baseDataOffset: number | undefined;
    if (tfhdFlags & TFHD_BASE_DATA_OFFSET_PRESENT) {
      baseDataOffset = Number(view.getBigUint64(at));
      at += 8;
    }
    if (tfhdFlags & TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT) at += 4;
    const trex = trexDefaults.find((t) => t.trackId === trackId);
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

    const tfdtAt = tfdt.offset + tfdt.headerSize;
    let decodeTime =
      moof[tfdtAt] === 1
        ? Number(view.getBigUint64(tfdtAt + FULL_BOX_FIELDS))
        : view.getUint32(tfdtAt + FULL_BOX_FIELDS);
    const base =
      baseDataOffset !== undefined
        ? baseDataOffset - moofFileOffset
        : tfhdFlags & TFHD_DEFAULT_BASE_IS_MOOF
          ? 0
          : previousTrafEnd;
    let next = base;
    for (const trun of boxes) {
      if (trun.type !== fourcc.trun) continue;
      let p = trun.offset + trun.headerSize;
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
      let firstFlags: number | undefined;
      if (flags & TRUN_FIRST_SAMPLE_FLAGS_PRESENT) {
        firstFlags = view.getUint32(p);
        p += 4;
      }
      const rowBytes =
        4 *
        (((flags & TRUN_SAMPLE_DURATION_PRESENT) !== 0 ? 1 : 0) +
          ((flags & TRUN_SAMPLE_SIZE_PRESENT) !== 0 ? 1 : 0) +
          ((flags & TRUN_SAMPLE_FLAGS_PRESENT) !== 0 ? 1 : 0) +
          ((flags & TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT) !== 0 ? 1 : 0));
      if (p + rowBytes * count > trun.offset + trun.size) {
        throw new VigilError('MEDIA_INVALID', `trun of track ${trackId}: ${count} samples do not fit the box`);
      }
      const wanted = visitor.run(trackId, decodeTime, dataOffset, count);
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        let duration = defaultDuration;
        let size = defaultSize;
        let sampleFlags = i === 0 && firstFlags !== undefined ? firstFlags : defaultFlags;
        let composition = 0;
        if (flags & TRUN_SAMPLE_DURATION_PRESENT) {
          duration = view.getUint32(p);
          p += 4;
        }
        if (flags & TRUN_SAMPLE_SIZE_PRESENT) {
          size = view.getUint32(p);
          p += 4;
        }
        if (flags & TRUN_SAMPLE_FLAGS_PRESENT) {
          const own = view.getUint32(p);
          p += 4;
          if (!(i === 0 && firstFlags !== undefined)) sampleFlags = own;
        }
        if (flags & TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT) {
          composition = signed ? view.getInt32(p) : view.getUint32(p);
          p += 4;
        }
        if (wanted) visitor.sample(duration, size, (sampleFlags & SAMPLE_IS_NON_SYNC) === 0, composition);
        decodeTime += duration;
        bytes += size;
      }
      next = dataOffset + bytes;
    }
    previousTrafEnd = next;
  }
}
