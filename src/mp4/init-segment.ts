import { VigilError } from '../errors.js';
import { readAudioSpecificConfig } from './bitstream/aac.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import {
  mp4TimeFromUs,
  readHdlr,
  readMdhd,
  readTkhd,
  readTrex,
  writeFtyp,
  writeMvhd,
  writeTrex,
} from './boxes/movie.js';
import { readSampleEntry } from './boxes/sample-entry.js';
import { writeTrack } from './boxes/track.js';
import { writeStco, writeStsc, writeStsz, writeStts } from './boxes/sample-table.js';
import { fourcc } from './fourcc.js';
import { boxBody, childBoxes, findBox, requireBox, scanBoxes } from './scan.js';
import type { TrackConfig, TrackDefaults } from './types.js';

/** The movie timescale; only mvhd's (empty) duration is in it. */
const MOVIE_TIMESCALE = 1000;
/** Bytes of fields (version, flags, entry_count) before stsd's entries. */
const STSD_FIELDS_BYTES = 8;

export interface InitSegmentOptions {
  /** Written as creation and modification time; defaults to 0 (unknown), which keeps output reproducible. */
  creationTimeUs?: number;
}

/** ftyp + moov for a fragmented file: the sample tables are empty, the samples live in moofs. */
export function buildInitSegment(tracks: TrackConfig[], options: InitSegmentOptions = {}): Uint8Array {
  if (tracks.length === 0) throw new VigilError('INVALID_ARGUMENT', 'tracks: an init segment needs at least one track');
  const creationTime = options.creationTimeUs === undefined ? 0 : mp4TimeFromUs(options.creationTimeUs);
  const w = new ByteWriter(1024);
  writeFtyp(w, fourcc.iso6, 0, [fourcc.iso6, fourcc.iso5, fourcc.isom, fourcc.mp41]);
  w.box(fourcc.moov, () => {
    writeMvhd(w, {
      creationTime,
      timescale: MOVIE_TIMESCALE,
      duration: 0,
      nextTrackId: Math.max(...tracks.map((t) => t.trackId)) + 1,
    });
    for (const track of tracks) writeTrak(w, track, creationTime);
    w.box(fourcc.mvex, () => {
      for (const track of tracks) {
        writeTrex(w, {
          trackId: track.trackId,
          defaultSampleDescriptionIndex: 1,
          defaultSampleDuration: 0,
          defaultSampleSize: 0,
          defaultSampleFlags: 0,
        });
      }
    });
  });
  return w.finish();
}

function writeTrak(w: ByteWriter, track: TrackConfig, creationTime: number): void {
  writeTrack(w, track, {
    creationTime,
    presentationDuration: 0,
    mediaDuration: 0,
    writeSampleTables: () => {
      writeStts(w, []);
      writeStsc(w, []);
      writeStsz(w, []);
      writeStco(w, []);
    },
  });
}

function findMoov(buf: Uint8Array): { moovChildren: ReturnType<typeof scanBoxes> } {
  const moov = requireBox(scanBoxes(buf), fourcc.moov, 'init segment');
  return { moovChildren: childBoxes(buf, moov) };
}

/**
 * The video and audio tracks of an init segment (or of any file with a moov). Tracks of other
 * kinds (text, timecode) are skipped; a video or audio codec Vigil cannot describe is MEDIA_INVALID.
 */
export function readInitSegment(buf: Uint8Array): TrackConfig[] {
  const { moovChildren } = findMoov(buf);
  const tracks: TrackConfig[] = [];
  for (const trak of moovChildren.filter((b) => b.type === fourcc.trak)) {
    const trakChildren = childBoxes(buf, trak);
    const tkhd = readTkhd(new ByteReader(boxBody(buf, requireBox(trakChildren, fourcc.tkhd, 'trak')), 'tkhd'));
    const mdia = childBoxes(buf, requireBox(trakChildren, fourcc.mdia, 'trak'));
    const handler = readHdlr(new ByteReader(boxBody(buf, requireBox(mdia, fourcc.hdlr, 'mdia')), 'hdlr'));
    if (handler !== fourcc.vide && handler !== fourcc.soun) continue;
    const { timescale } = readMdhd(new ByteReader(boxBody(buf, requireBox(mdia, fourcc.mdhd, 'mdia')), 'mdhd'));
    const minf = childBoxes(buf, requireBox(mdia, fourcc.minf, 'mdia'));
    const stbl = childBoxes(buf, requireBox(minf, fourcc.stbl, 'minf'));
    const stsd = requireBox(stbl, fourcc.stsd, 'stbl');
    const entry = childBoxes(buf, stsd, STSD_FIELDS_BYTES)[0];
    if (entry === undefined) throw new VigilError('MEDIA_INVALID', `track ${tkhd.trackId}: stsd has no entry`);
    const info = readSampleEntry(buf, entry);
    if (info.kind === 'video') {
      tracks.push({ ...info, trackId: tkhd.trackId, timescale });
    } else {
      tracks.push({ ...info, trackId: tkhd.trackId, timescale, ...audioFormat(info, timescale) });
    }
  }
  return tracks;
}

/**
 * For AAC the AudioSpecificConfig is the truth (muxers often write channelcount 2 in the entry);
 * a sample rate too big for 16.16 is written as 0, and the media timescale is the rate then.
 */
function audioFormat(
  info: { codec: string; sampleRate: number; channelCount: number; decoderConfig: Uint8Array },
  timescale: number,
): { sampleRate: number; channelCount: number } {
  if (info.codec === fourcc.mp4a && info.decoderConfig.length >= 2) {
    const asc = readAudioSpecificConfig(info.decoderConfig);
    if (asc.sampleRate > 0 && asc.channelCount > 0)
      return { sampleRate: asc.sampleRate, channelCount: asc.channelCount };
  }
  return { sampleRate: info.sampleRate || timescale, channelCount: info.channelCount };
}

/** The trex defaults of each track (empty when the file is not fragmented). */
export function readTrackDefaults(buf: Uint8Array): TrackDefaults[] {
  const { moovChildren } = findMoov(buf);
  const mvex = findBox(moovChildren, fourcc.mvex);
  if (mvex === undefined) return [];
  return childBoxes(buf, mvex)
    .filter((b) => b.type === fourcc.trex)
    .map((b) => readTrex(new ByteReader(boxBody(buf, b), 'trex')));
}
