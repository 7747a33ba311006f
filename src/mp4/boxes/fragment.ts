import { VigilError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import {
  TFHD_BASE_DATA_OFFSET_PRESENT,
  TFHD_DEFAULT_BASE_IS_MOOF,
  TFHD_DEFAULT_SAMPLE_DURATION_PRESENT,
  TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT,
  TFHD_DEFAULT_SAMPLE_SIZE_PRESENT,
  TFHD_DURATION_IS_EMPTY,
  TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT,
  TRUN_DATA_OFFSET_PRESENT,
  TRUN_FIRST_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT,
  TRUN_SAMPLE_DURATION_PRESENT,
  TRUN_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_SIZE_PRESENT,
} from '../flags.js';
import { fourcc } from '../fourcc.js';

/** MovieFragmentHeaderBox. */
export function writeMfhd(w: ByteWriter, sequenceNumber: number): void {
  w.fullBox(fourcc.mfhd, 0, 0, () => w.u32(sequenceNumber));
}

export function readMfhd(r: ByteReader): number {
  r.u32(); // version and flags
  return r.u32();
}

/** TrackFragmentHeaderBox fields; an absent optional field is absent from the box. */
export interface TfhdFields {
  trackId: number;
  baseDataOffset?: number;
  sampleDescriptionIndex?: number;
  defaultSampleDuration?: number;
  defaultSampleSize?: number;
  defaultSampleFlags?: number;
  durationIsEmpty?: boolean;
  defaultBaseIsMoof?: boolean;
}

function tfhdFlagsFor(f: TfhdFields): number {
  let flags = 0;
  if (f.baseDataOffset !== undefined) flags |= TFHD_BASE_DATA_OFFSET_PRESENT;
  if (f.sampleDescriptionIndex !== undefined) flags |= TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT;
  if (f.defaultSampleDuration !== undefined) flags |= TFHD_DEFAULT_SAMPLE_DURATION_PRESENT;
  if (f.defaultSampleSize !== undefined) flags |= TFHD_DEFAULT_SAMPLE_SIZE_PRESENT;
  if (f.defaultSampleFlags !== undefined) flags |= TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT;
  if (f.durationIsEmpty === true) flags |= TFHD_DURATION_IS_EMPTY;
  if (f.defaultBaseIsMoof === true) flags |= TFHD_DEFAULT_BASE_IS_MOOF;
  return flags;
}

export function writeTfhd(w: ByteWriter, f: TfhdFields): void {
  w.fullBox(fourcc.tfhd, 0, tfhdFlagsFor(f), () => {
    w.u32(f.trackId);
    if (f.baseDataOffset !== undefined) w.u64(f.baseDataOffset);
    if (f.sampleDescriptionIndex !== undefined) w.u32(f.sampleDescriptionIndex);
    if (f.defaultSampleDuration !== undefined) w.u32(f.defaultSampleDuration);
    if (f.defaultSampleSize !== undefined) w.u32(f.defaultSampleSize);
    if (f.defaultSampleFlags !== undefined) w.u32(f.defaultSampleFlags);
  });
}

export function readTfhd(r: ByteReader): TfhdFields {
  r.u8(); // version
  const flags = r.u24();
  const f: TfhdFields = { trackId: r.u32() };
  if (flags & TFHD_BASE_DATA_OFFSET_PRESENT) f.baseDataOffset = r.u64();
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT) f.sampleDescriptionIndex = r.u32();
  if (flags & TFHD_DEFAULT_SAMPLE_DURATION_PRESENT) f.defaultSampleDuration = r.u32();
  if (flags & TFHD_DEFAULT_SAMPLE_SIZE_PRESENT) f.defaultSampleSize = r.u32();
  if (flags & TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT) f.defaultSampleFlags = r.u32();
  if (flags & TFHD_DURATION_IS_EMPTY) f.durationIsEmpty = true;
  if (flags & TFHD_DEFAULT_BASE_IS_MOOF) f.defaultBaseIsMoof = true;
  return f;
}

/** TrackFragmentBaseMediaDecodeTimeBox; always written as version 1 (64-bit). */
export function writeTfdt(w: ByteWriter, baseMediaDecodeTime: number): void {
  w.fullBox(fourcc.tfdt, 1, 0, () => w.u64(baseMediaDecodeTime));
}

export function readTfdt(r: ByteReader): number {
  const version = r.u8();
  r.u24();
  return version === 1 ? r.u64() : r.u32();
}

/** One trun row; the fields present in the first sample must be present in all. */
export interface TrunSample {
  sampleDuration?: number;
  sampleSize?: number;
  sampleFlags?: number;
  sampleCompositionTimeOffset?: number;
}

export interface TrunFields {
  /** Version 1 makes the composition offsets signed. */
  version: 0 | 1;
  dataOffset?: number;
  firstSampleFlags?: number;
  samples: TrunSample[];
}

const trunSampleFields = [
  ['sampleDuration', TRUN_SAMPLE_DURATION_PRESENT],
  ['sampleSize', TRUN_SAMPLE_SIZE_PRESENT],
  ['sampleFlags', TRUN_SAMPLE_FLAGS_PRESENT],
  ['sampleCompositionTimeOffset', TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT],
] as const;

function trunFlagsFor(f: TrunFields): number {
  let flags = 0;
  if (f.dataOffset !== undefined) flags |= TRUN_DATA_OFFSET_PRESENT;
  if (f.firstSampleFlags !== undefined) flags |= TRUN_FIRST_SAMPLE_FLAGS_PRESENT;
  const first = f.samples[0];
  if (first === undefined) return flags;
  for (const [name, bit] of trunSampleFields) {
    const present = first[name] !== undefined;
    if (f.samples.some((s) => (s[name] !== undefined) !== present)) {
      throw new VigilError('INTERNAL', `trun: ${name} is set on some samples but not all`);
    }
    if (present) flags |= bit;
  }
  return flags;
}

/** Writes a trun; returns where its data_offset sits so the caller can patch it once the moof size is known. */
export function writeTrun(w: ByteWriter, f: TrunFields): number | undefined {
  let dataOffsetAt: number | undefined;
  w.fullBox(fourcc.trun, f.version, trunFlagsFor(f), () => {
    w.u32(f.samples.length);
    if (f.dataOffset !== undefined) {
      dataOffsetAt = w.position;
      w.i32(f.dataOffset);
    }
    if (f.firstSampleFlags !== undefined) w.u32(f.firstSampleFlags);
    for (const s of f.samples) {
      if (s.sampleDuration !== undefined) w.u32(s.sampleDuration);
      if (s.sampleSize !== undefined) w.u32(s.sampleSize);
      if (s.sampleFlags !== undefined) w.u32(s.sampleFlags);
      if (s.sampleCompositionTimeOffset !== undefined) {
        if (f.version === 1) w.i32(s.sampleCompositionTimeOffset);
        else w.u32(s.sampleCompositionTimeOffset);
      }
    }
  });
  return dataOffsetAt;
}

export function readTrun(r: ByteReader): TrunFields {
  const version = r.u8() === 0 ? 0 : 1;
  const flags = r.u24();
  const count = r.u32();
  const f: TrunFields = { version, samples: [] };
  if (flags & TRUN_DATA_OFFSET_PRESENT) f.dataOffset = r.i32();
  if (flags & TRUN_FIRST_SAMPLE_FLAGS_PRESENT) f.firstSampleFlags = r.u32();
  for (let i = 0; i < count; i++) {
    const s: TrunSample = {};
    if (flags & TRUN_SAMPLE_DURATION_PRESENT) s.sampleDuration = r.u32();
    if (flags & TRUN_SAMPLE_SIZE_PRESENT) s.sampleSize = r.u32();
    if (flags & TRUN_SAMPLE_FLAGS_PRESENT) s.sampleFlags = r.u32();
    if (flags & TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT) {
      s.sampleCompositionTimeOffset = version === 1 ? r.i32() : r.u32();
    }
    f.samples.push(s);
  }
  return f;
}
