import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import {
  DREF_URL_SELF_CONTAINED,
  FIXED_16_16_ONE,
  FIXED_2_30_ONE,
  FIXED_8_8_ONE,
  LANGUAGE_UNDETERMINED,
  TKHD_TRACK_ENABLED,
  TKHD_TRACK_IN_MOVIE,
  U32_MAX,
  VMHD_FLAGS,
} from '../flags.js';
import { fourcc } from '../fourcc.js';
import type { FourCC } from '../fourcc.js';
import type { TrackDefaults } from '../types.js';

/** Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01. */
const MP4_EPOCH_OFFSET_S = 2082844800;

/** MP4 times are seconds since 1904; Vigil's are UTC µs since 1970. */
export function mp4TimeFromUs(us: number): number {
  return Math.floor(us / 1e6) + MP4_EPOCH_OFFSET_S;
}

/** The identity transform, written in tkhd and mvhd. */
function writeUnityMatrix(w: ByteWriter): void {
  for (const v of [FIXED_16_16_ONE, 0, 0, 0, FIXED_16_16_ONE, 0, 0, 0, FIXED_2_30_ONE]) w.u32(v);
}

/** Version 0 holds 32-bit times; past 2040 (or for long durations) version 1 holds 64-bit ones. */
function writeTimes(w: ByteWriter, version: number, creationTime: number, extra: () => void, duration: number): void {
  const wide = version === 1 ? (v: number) => w.u64(v) : (v: number) => w.u32(v);
  wide(creationTime);
  wide(creationTime);
  extra();
  wide(duration);
}

function versionFor(...values: number[]): 0 | 1 {
  return values.some((v) => v > U32_MAX) ? 1 : 0;
}

export function writeFtyp(w: ByteWriter, majorBrand: FourCC, minorVersion: number, compatible: FourCC[]): void {
  w.box(fourcc.ftyp, () => {
    w.fourcc(majorBrand);
    w.u32(minorVersion);
    for (const brand of compatible) w.fourcc(brand);
  });
}

export interface MvhdFields {
  creationTime: number;
  timescale: number;
  duration: number;
  nextTrackId: number;
}

export function writeMvhd(w: ByteWriter, f: MvhdFields): void {
  const version = versionFor(f.creationTime, f.duration);
  w.fullBox(fourcc.mvhd, version, 0, () => {
    writeTimes(w, version, f.creationTime, () => w.u32(f.timescale), f.duration);
    w.u32(FIXED_16_16_ONE); // rate
    w.u16(FIXED_8_8_ONE); // volume
    w.zeros(2 + 4 * 2); // reserved
    writeUnityMatrix(w);
    w.zeros(4 * 6); // pre_defined
    w.u32(f.nextTrackId);
  });
}

export interface TkhdFields {
  creationTime: number;
  trackId: number;
  duration: number;
  /** Audio tracks play at full volume; video tracks have none. */
  isAudio: boolean;
  width: number;
  height: number;
}

export function writeTkhd(w: ByteWriter, f: TkhdFields): void {
  const version = versionFor(f.creationTime, f.duration);
  w.fullBox(fourcc.tkhd, version, TKHD_TRACK_ENABLED | TKHD_TRACK_IN_MOVIE, () => {
    writeTimes(
      w,
      version,
      f.creationTime,
      () => {
        w.u32(f.trackId);
        w.u32(0); // reserved
      },
      f.duration,
    );
    w.zeros(4 * 2); // reserved
    w.i16(0); // layer
    w.i16(0); // alternate_group
    w.u16(f.isAudio ? FIXED_8_8_ONE : 0);
    w.u16(0); // reserved
    writeUnityMatrix(w);
    w.u32(f.width * FIXED_16_16_ONE);
    w.u32(f.height * FIXED_16_16_ONE);
  });
}

export function readTkhd(r: ByteReader): { trackId: number; width: number; height: number } {
  const version = r.u8();
  r.u24();
  r.skip(version === 1 ? 16 : 8); // creation and modification time
  const trackId = r.u32();
  r.skip(4 + (version === 1 ? 8 : 4) + 8 + 2 + 2 + 2 + 2 + 36); // reserved, duration, …, matrix
  const width = r.u32() / FIXED_16_16_ONE;
  const height = r.u32() / FIXED_16_16_ONE;
  return { trackId, width: Math.round(width), height: Math.round(height) };
}

export function writeMdhd(w: ByteWriter, creationTime: number, timescale: number, duration: number): void {
  const version = versionFor(creationTime, duration);
  w.fullBox(fourcc.mdhd, version, 0, () => {
    writeTimes(w, version, creationTime, () => w.u32(timescale), duration);
    w.u16(LANGUAGE_UNDETERMINED);
    w.u16(0); // pre_defined
  });
}

export function readMdhd(r: ByteReader): { timescale: number; duration: number } {
  const version = r.u8();
  r.u24();
  r.skip(version === 1 ? 16 : 8);
  const timescale = r.u32();
  const duration = version === 1 ? r.u64() : r.u32();
  return { timescale, duration };
}

/** HandlerReferenceBox; `reservedBrand` fills the first reserved word (iTunes metadata wants `appl`). */
export function writeHdlr(w: ByteWriter, handlerType: FourCC, name: string, reservedBrand?: FourCC): void {
  w.fullBox(fourcc.hdlr, 0, 0, () => {
    w.u32(0); // pre_defined
    w.fourcc(handlerType);
    if (reservedBrand === undefined) w.u32(0);
    else w.fourcc(reservedBrand);
    w.zeros(4 * 2);
    w.bytes(new TextEncoder().encode(name));
    w.u8(0);
  });
}

export function readHdlr(r: ByteReader): string {
  r.u32(); // version and flags
  r.u32(); // pre_defined
  return r.fourcc();
}

export function writeVmhd(w: ByteWriter): void {
  w.fullBox(fourcc.vmhd, 0, VMHD_FLAGS, () => {
    w.u16(0); // graphicsmode: copy
    w.zeros(2 * 3); // opcolor
  });
}

export function writeSmhd(w: ByteWriter): void {
  w.fullBox(fourcc.smhd, 0, 0, () => {
    w.i16(0); // balance: centre
    w.u16(0); // reserved
  });
}

/** A data reference with one self-contained entry: the media is in this file. */
export function writeDinf(w: ByteWriter): void {
  w.box(fourcc.dinf, () => {
    w.fullBox(fourcc.dref, 0, 0, () => {
      w.u32(1);
      w.fullBox(fourcc.url, 0, DREF_URL_SELF_CONTAINED, () => undefined);
    });
  });
}

export function writeTrex(w: ByteWriter, d: TrackDefaults): void {
  w.fullBox(fourcc.trex, 0, 0, () => {
    w.u32(d.trackId);
    w.u32(d.defaultSampleDescriptionIndex);
    w.u32(d.defaultSampleDuration);
    w.u32(d.defaultSampleSize);
    w.u32(d.defaultSampleFlags);
  });
}

export function readTrex(r: ByteReader): TrackDefaults {
  r.u32(); // version and flags
  return {
    trackId: r.u32(),
    defaultSampleDescriptionIndex: r.u32(),
    defaultSampleDuration: r.u32(),
    defaultSampleSize: r.u32(),
    defaultSampleFlags: r.u32(),
  };
}
