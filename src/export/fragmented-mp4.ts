/**
 * A fragmented MP4 as a virtual file: an init segment (with an edit list that
 * hides the pre-roll) and one moof + mdat per source fragment, ≈ 2 s each and
 * starting on a keyframe, with tfdt on the output timeline. The fragment list
 * gives archive HLS its byte ranges.
 *
 * Time that has no media is held by tfdt, not by edits (players of fragmented
 * files honour tfdt; few honour more than one edit): with gaps kept, a piece's
 * fragments start at its real-time place, so tfdt jumps over the gap; a track
 * that begins after the first shown instant (late audio) starts that much later.
 */
import { VigilError } from '../errors.js';
import { ByteReader } from '../mp4/byte-reader.js';
import { ByteWriter } from '../mp4/byte-writer.js';
import { writeEdts } from '../mp4/boxes/edit-list.js';
import { writeMfhd, writeTfdt, writeTfhd } from '../mp4/boxes/fragment.js';
import { readTkhd } from '../mp4/boxes/movie.js';
import { buildUdta } from '../mp4/boxes/udta.js';
import {
  SAMPLE_FLAGS_NON_SYNC,
  SAMPLE_FLAGS_SYNC,
  TRUN_DATA_OFFSET_PRESENT,
  TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT,
  TRUN_SAMPLE_DURATION_PRESENT,
  TRUN_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_SIZE_PRESENT,
} from '../mp4/flags.js';
import { writeMdatHeader } from '../mp4/fragment.js';
import { fourcc } from '../mp4/fourcc.js';
import { buildInitSegment } from '../mp4/init-segment.js';
import { boxBody, childBoxes, scanBoxes } from '../mp4/scan.js';
import type { ElstEntry } from '../mp4/boxes/edit-list.js';
import { mediaDurationTicks, udtaFieldsFor, usToMovieTicks } from './export-metadata.js';
import { MP4_CONTENT_TYPE } from './progressive-mp4.js';
import { chunksOf } from './sample-tables.js';
import type { ByteSource, Fmp4Layout, MetadataOptions, SampleSelection, TrackSamples } from './types.js';

const US = 1_000_000;
/** Slack when deciding which piece a fragment starts in (tick rounding is far below it). */
const PIECE_SLACK_US = 1_000;

export function buildFragmentedMp4(selection: SampleSelection, meta: MetadataOptions): Fmp4Layout {
  const timing = selection.tracks[0];
  if (timing === undefined) throw new VigilError('INTERNAL', 'fragmented mp4: the selection has no tracks');
  const init = buildExportInit(selection, meta);
  const parts: ByteSource[] = [{ kind: 'bytes', data: init }];
  const fragments: Fmp4Layout['fragments'] = [];
  const groups = fragmentGroups(selection);
  const pieceStarts = collapsedPieceStarts(selection);
  const collapsedEndUs = selection.pieces.reduce((n, p) => n + p.toUs - p.fromUs, 0);
  const timingStartUs = (i: number): number =>
    Math.max(0, ((timing.decodeTicks[i]! - timing.presentationStartTicks) * US) / timing.config.timescale);
  const pieceOfGroup = groups.map((group, k) =>
    k === 0 ? 0 : pieceIndexAt(pieceStarts, timingStartUs(group[0]!.first) + PIECE_SLACK_US),
  );
  const shifts = decodeShifts(selection, pieceStarts);

  let at = init.length;
  let previousPiece = 0;
  groups.forEach((group, k) => {
    const built = writeFragmentHeader(selection, group, k + 1, (track) => shifts(track, pieceOfGroup[k]!));
    parts.push({ kind: 'bytes', data: built.header });
    let size = built.header.length;
    for (const slice of built.slices) {
      const previous = parts[parts.length - 1]!;
      if (
        previous.kind === 'file' &&
        previous.file === slice.file &&
        previous.offset + previous.length === slice.offset
      ) {
        previous.length += slice.length;
      } else {
        parts.push(slice);
      }
      size += slice.length;
    }
    const startUs = k === 0 ? 0 : timingStartUs(group[0]!.first);
    const next = groups[k + 1];
    const endUs = next === undefined ? collapsedEndUs : timingStartUs(next[0]!.first);
    const piece = pieceOfGroup[k]!;
    fragments.push({
      offset: at,
      sizeBytes: size,
      wallClockUs: selection.pieces[piece]!.fromUs + (startUs - pieceStarts[piece]!),
      durationUs: Math.max(0, endUs - startUs),
      startsPiece: k > 0 && piece !== previousPiece,
    });
    previousPiece = piece;
    at += size;
  });
  return { sizeBytes: at, contentType: MP4_CONTENT_TYPE, parts, initSizeBytes: init.length, fragments };
}

/** Where each piece starts on the collapsed output timeline (the fMP4's timeline). */
function collapsedPieceStarts(selection: SampleSelection): number[] {
  let sum = 0;
  return selection.pieces.map((p) => {
    const start = sum;
    sum += p.toUs - p.fromUs;
    return start;
  });
}

/**
 * Ticks added to a track's decode times in a fragment of a given piece: the delay of a track that
 * starts after the first shown instant, plus (gaps kept) the real time skipped before the piece.
 */
function decodeShifts(
  selection: SampleSelection,
  pieceStarts: number[],
): (track: TrackSamples, piece: number) => number {
  const gapsUs = selection.pieces.map((p, k) =>
    selection.request.gaps === 'keep' ? p.outputStartUs - pieceStarts[k]! : 0,
  );
  return (track, piece) => {
    const ts = track.config.timescale;
    return Math.max(0, -track.presentationStartTicks) + Math.round((gapsUs[piece]! * ts) / US);
  };
}

function pieceIndexAt(starts: number[], us: number): number {
  let k = 0;
  while (k + 1 < starts.length && starts[k + 1]! <= us) k++;
  return k;
}

/** One track's samples [first, end) in a fragment. */
interface TrackRange {
  track: TrackSamples;
  first: number;
  end: number;
}

/**
 * Fragments follow the timing track's chunks (a chunk is one source fragment's run); the other
 * tracks' samples go with the timing chunk they follow in the segment files.
 */
function fragmentGroups(selection: SampleSelection): TrackRange[][] {
  const [timing, ...others] = selection.tracks as [TrackSamples, ...TrackSamples[]];
  const chunks = chunksOf(timing);
  const cursors = others.map(() => 0);
  const groups: TrackRange[][] = [];
  for (let c = 0; c < chunks.count; c++) {
    const first = chunks.firstSample[c]!;
    const group: TrackRange[] = [{ track: timing, first, end: first + chunks.sampleCount[c]! }];
    const isLast = c === chunks.count - 1;
    others.forEach((track, t) => {
      const start = cursors[t]!;
      let end = start;
      while (
        end < track.count &&
        (isLast ||
          track.fileIndex[end]! < chunks.fileIndex[c + 1]! ||
          (track.fileIndex[end] === chunks.fileIndex[c + 1] && track.fileOffset[end]! < chunks.fileOffset[c + 1]!))
      ) {
        end++;
      }
      cursors[t] = end;
      if (end > start) group.push({ track, first: start, end });
    });
    groups.push(group);
  }
  return groups;
}

const TRUN_FLAGS =
  TRUN_DATA_OFFSET_PRESENT |
  TRUN_SAMPLE_DURATION_PRESENT |
  TRUN_SAMPLE_SIZE_PRESENT |
  TRUN_SAMPLE_FLAGS_PRESENT |
  TRUN_SAMPLE_COMPOSITION_TIME_OFFSET_PRESENT;

/** moof + mdat header for one fragment, and the file slices its mdat payload is made of. */
function writeFragmentHeader(
  selection: SampleSelection,
  group: TrackRange[],
  sequenceNumber: number,
  shiftTicks: (track: TrackSamples) => number,
): { header: Uint8Array; slices: Array<Extract<ByteSource, { kind: 'file' }>> } {
  const sampleCount = group.reduce((n, r) => n + r.end - r.first, 0);
  const w = new ByteWriter(256 + sampleCount * 16);
  const dataOffsetAt: number[] = [];
  const runBytes: number[] = [];
  const slices: Array<Extract<ByteSource, { kind: 'file' }>> = [];
  w.box(fourcc.moof, () => {
    writeMfhd(w, sequenceNumber);
    for (const { track, first, end } of group) {
      w.box(fourcc.traf, () => {
        writeTfhd(w, { trackId: track.config.trackId, defaultBaseIsMoof: true });
        writeTfdt(w, track.decodeTicks[first]! + shiftTicks(track));
        w.fullBox(fourcc.trun, 1, TRUN_FLAGS, () => {
          w.u32(end - first);
          dataOffsetAt.push(w.position);
          w.i32(0);
          let bytes = 0;
          for (let i = first; i < end; i++) {
            w.u32(track.durationTicks[i]!);
            w.u32(track.sizeBytes[i]!);
            w.u32(track.isSync[i] === 1 ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC);
            w.i32(track.compositionOffsetTicks[i]!);
            bytes += track.sizeBytes[i]!;
            const file = selection.files[track.fileIndex[i]!]!;
            const offset = track.fileOffset[i]!;
            const last = slices[slices.length - 1];
            if (last !== undefined && last.file === file && last.offset + last.length === offset) {
              last.length += track.sizeBytes[i]!;
            } else {
              slices.push({ kind: 'file', file, offset, length: track.sizeBytes[i]! });
            }
          }
          runBytes.push(bytes);
        });
      });
    }
  });
  const payloadBytes = runBytes.reduce((a, b) => a + b, 0);
  const mdatHeader = writeMdatHeader(payloadBytes);
  let offset = w.position + mdatHeader.length;
  dataOffsetAt.forEach((pos, r) => {
    w.patchI32(pos, offset);
    offset += runBytes[r]!;
  });
  w.bytes(mdatHeader);
  return { header: w.finish(), slices };
}

/** The init segment with an edit list per track (hiding the pre-roll) and the export's metadata. */
function buildExportInit(selection: SampleSelection, meta: MetadataOptions): Uint8Array {
  const init = buildInitSegment(
    selection.tracks.map((t) => t.config),
    { creationTimeUs: selection.firstShownUs },
  );
  const edits = new Map<number, ElstEntry[]>();
  const lastShift = decodeShifts(selection, collapsedPieceStarts(selection));
  for (const track of selection.tracks) {
    // A late track's delay is in its tfdt (decodeShifts): its edit starts at media time 0.
    const mediaTime = Math.max(0, track.presentationStartTicks);
    const endTicks = mediaDurationTicks(track) + lastShift(track, selection.pieces.length - 1);
    const available = ((endTicks - mediaTime) * US) / track.config.timescale;
    const durationUs = Math.max(0, Math.min(selection.durationUs, available));
    edits.set(track.config.trackId, [{ segmentDuration: usToMovieTicks(durationUs), mediaTime }]);
  }
  const w = new ByteWriter(init.length + 512);
  for (const top of scanBoxes(init)) {
    if (top.type !== fourcc.moov) {
      w.bytes(init.subarray(top.offset, top.offset + top.size));
      continue;
    }
    w.box(fourcc.moov, () => {
      for (const child of childBoxes(init, top)) {
        if (child.type !== fourcc.trak) {
          w.bytes(init.subarray(child.offset, child.offset + child.size));
          continue;
        }
        w.box(fourcc.trak, () => {
          for (const box of childBoxes(init, child)) {
            w.bytes(init.subarray(box.offset, box.offset + box.size));
            if (box.type !== fourcc.tkhd) continue;
            // edts goes right after tkhd (ISO/IEC 14496-12 box order).
            const { trackId } = readTkhd(new ByteReader(boxBody(init, box), 'tkhd'));
            writeEdts(w, edits.get(trackId) ?? []);
          }
        });
      }
      w.bytes(buildUdta(udtaFieldsFor(selection, meta)));
    });
  }
  return w.finish();
}
