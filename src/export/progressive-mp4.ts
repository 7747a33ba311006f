/**
 * A progressive MP4 as a virtual file: ftyp, moov first (what `+faststart`
 * gives, so players start at once), one mdat whose payload is file slices in
 * the archive's own interleave (≈ one fragment per track per chunk).
 *
 * The moov's size decides where the mdat starts, and so every chunk offset;
 * offsets are written as placeholders and patched once the size is known.
 * Past 4 GiB the moov switches to co64 (bigger), which is why it is laid out
 * again in that case.
 */
import { VigilError } from '../errors.js';
import { ByteWriter } from '../mp4/byte-writer.js';
import { writeEdts } from '../mp4/boxes/edit-list.js';
import { mp4TimeFromUs, writeFtyp, writeMvhd } from '../mp4/boxes/movie.js';
import { writeTrack } from '../mp4/boxes/track.js';
import { buildUdta } from '../mp4/boxes/udta.js';
import type { ElstEntry } from '../mp4/boxes/edit-list.js';
import { ELST_EMPTY_MEDIA_TIME, U32_MAX } from '../mp4/flags.js';
import { writeMdatHeader } from '../mp4/fragment.js';
import { fourcc } from '../mp4/fourcc.js';
import { editListFor, mediaDurationTicks, MOVIE_TIMESCALE, udtaFieldsFor, usToMovieTicks } from './export-metadata.js';
import {
  chunksOf,
  patchChunkOffsets,
  type TrackChunks,
  writeChunkOffsetPlaceholders,
  writeCttsColumns,
  writeStscColumns,
  writeStssColumns,
  writeSttsColumns,
  writeStszColumns,
} from './sample-tables.js';
import type { ByteSource, MetadataOptions, SampleSelection, TrackSamples, VirtualFileLayout } from './types.js';

export const MP4_CONTENT_TYPE = 'video/mp4';

export function buildProgressiveMp4(selection: SampleSelection, meta: MetadataOptions): VirtualFileLayout {
  if (selection.tracks.length === 0) throw new VigilError('INTERNAL', 'progressive mp4: the selection has no tracks');
  const chunks = selection.tracks.map((t) => chunksOf(t));
  const { parts, relativeOffsets, payloadBytes } = interleave(selection, chunks);

  const mdatHeader = writeMdatHeader(payloadBytes);
  const lastChunkStart = Math.max(0, ...relativeOffsets.map((o) => (o.length === 0 ? 0 : o[o.length - 1]!)));

  // ftyp, moov and the mdat header go through one writer, so the header is allocated and copied once.
  let wide = false;
  let head = writeHead(selection, meta, chunks, mdatHeader, wide);
  if (head.payloadStart + lastChunkStart > U32_MAX) {
    wide = true;
    head = writeHead(selection, meta, chunks, mdatHeader, wide);
  }
  const { writer, offsetTables, payloadStart } = head;
  offsetTables.forEach((at, t) => patchChunkOffsets(writer, at, relativeOffsets[t]!, payloadStart, wide));
  const header = writer.finish();
  return {
    sizeBytes: payloadStart + payloadBytes,
    contentType: MP4_CONTENT_TYPE,
    parts: [{ kind: 'bytes', data: header }, ...parts],
  };
}

/**
 * Orders all tracks' chunks as they lie in the segment files (which interleaves
 * video and audio per fragment) and gives each chunk its offset inside the mdat payload.
 * Slices that follow each other in one file are merged into one part.
 */
function interleave(
  selection: SampleSelection,
  chunks: TrackChunks[],
): { parts: ByteSource[]; relativeOffsets: Float64Array[]; payloadBytes: number } {
  const relativeOffsets = chunks.map((c) => new Float64Array(c.count));
  const next = chunks.map(() => 0);
  const parts: ByteSource[] = [];
  let at = 0;
  for (;;) {
    let pick = -1;
    for (let t = 0; t < chunks.length; t++) {
      const c = chunks[t]!;
      const i = next[t]!;
      if (i >= c.count) continue;
      if (pick < 0) {
        pick = t;
        continue;
      }
      const p = chunks[pick]!;
      const j = next[pick]!;
      if (
        c.fileIndex[i]! < p.fileIndex[j]! ||
        (c.fileIndex[i] === p.fileIndex[j] && c.fileOffset[i]! < p.fileOffset[j]!)
      ) {
        pick = t;
      }
    }
    if (pick < 0) break;
    const c = chunks[pick]!;
    const i = next[pick]!++;
    relativeOffsets[pick]![i] = at;
    const file = selection.files[c.fileIndex[i]!];
    if (file === undefined) throw new VigilError('INTERNAL', `progressive mp4: no file ${c.fileIndex[i]}`);
    const offset = c.fileOffset[i]!;
    const length = c.sizeBytes[i]!;
    const previous = parts[parts.length - 1];
    if (previous?.kind === 'file' && previous.file === file && previous.offset + previous.length === offset) {
      previous.length += length;
    } else {
      parts.push({ kind: 'file', file, offset, length });
    }
    at += length;
  }
  return { parts, relativeOffsets, payloadBytes: at };
}

function writeHead(
  selection: SampleSelection,
  meta: MetadataOptions,
  chunks: TrackChunks[],
  mdatHeader: Uint8Array,
  wide: boolean,
): { writer: ByteWriter; offsetTables: number[]; payloadStart: number } {
  const sampleCount = selection.tracks.reduce((n, t) => n + t.count, 0);
  const w = new ByteWriter(4096 + sampleCount * 12 + chunks.reduce((n, c) => n + c.count * 20, 0));
  writeFtyp(w, fourcc.isom, 512, [fourcc.isom, fourcc.iso6, fourcc.avc1, fourcc.mp41]);
  const creationTime = mp4TimeFromUs(selection.firstShownUs);
  const offsetTables: number[] = [];
  w.box(fourcc.moov, () => {
    writeMvhd(w, {
      creationTime,
      timescale: MOVIE_TIMESCALE,
      duration: usToMovieTicks(selection.durationUs),
      nextTrackId: Math.max(...selection.tracks.map((t) => t.config.trackId)) + 1,
    });
    selection.tracks.forEach((track, t) => {
      offsetTables.push(writeTrak(w, selection, track, chunks[t]!, creationTime, wide));
    });
    w.bytes(buildUdta(udtaFieldsFor(selection, meta)));
  });
  w.bytes(mdatHeader);
  return { writer: w, offsetTables, payloadStart: w.position };
}

function writeTrak(
  w: ByteWriter,
  selection: SampleSelection,
  track: TrackSamples,
  chunks: TrackChunks,
  creationTime: number,
  wide: boolean,
): number {
  const edits =
    track.presentationStartTicks < 0
      ? withEmptyLead(editListFor(selection, track), track)
      : editListFor(selection, track);
  let offsetsAt = 0;
  writeTrack(w, track.config, {
    creationTime,
    presentationDuration: edits.reduce((n, e) => n + e.segmentDuration, 0),
    mediaDuration: mediaDurationTicks(track),
    writeEdits: () => writeEdts(w, edits),
    writeSampleTables: () => {
      writeSttsColumns(w, track.durationTicks);
      writeCttsColumns(w, track.compositionOffsetTicks);
      writeStssColumns(w, track.isSync);
      writeStszColumns(w, track.sizeBytes);
      writeStscColumns(w, chunks);
      offsetsAt = writeChunkOffsetPlaceholders(w, chunks.count, wide);
    },
  });
  return offsetsAt;
}

/**
 * A track that begins after the output's first instant (audio starting after the first shown frame)
 * has a negative presentation start, so its edits map output time onto media time before 0. That
 * stretch becomes an empty edit: the track keeps its place against the others, and the media edit
 * after it starts at 0. Durations add up as before. (mediaTime −1 is an empty edit already.)
 */
function withEmptyLead(edits: readonly ElstEntry[], track: TrackSamples): ElstEntry[] {
  const out: ElstEntry[] = [];
  const add = (segmentDuration: number, mediaTime: number): void => {
    if (segmentDuration <= 0) return;
    const previous = out[out.length - 1];
    if (previous?.mediaTime === ELST_EMPTY_MEDIA_TIME && mediaTime === ELST_EMPTY_MEDIA_TIME) {
      previous.segmentDuration += segmentDuration;
    } else {
      out.push({ segmentDuration, mediaTime });
    }
  };
  for (const e of edits) {
    if (e.mediaTime >= 0 || e.mediaTime === ELST_EMPTY_MEDIA_TIME) {
      add(e.segmentDuration, e.mediaTime);
      continue;
    }
    const emptyUs = (-e.mediaTime * 1_000_000) / track.config.timescale;
    const empty = Math.min(e.segmentDuration, usToMovieTicks(emptyUs));
    add(empty, ELST_EMPTY_MEDIA_TIME);
    add(e.segmentDuration - empty, 0);
  }
  return out;
}
