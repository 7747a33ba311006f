/**
 * What both MP4 builders write around the samples: each track's edit list,
 * the chapters (one per recorded piece, one per event) and the iTunes-style metadata.
 */
import type { ElstEntry } from '../mp4/boxes/edit-list.js';
import type { Chapter } from '../mp4/boxes/chapters.js';
import type { UdtaFields } from '../mp4/boxes/udta.js';
import { ELST_EMPTY_MEDIA_TIME } from '../mp4/flags.js';
import { assertTimeZone, usToIso } from '../time.js';
import { eventChaptersFor, type EventMetadata } from './events/index.js';
import type { MetadataOptions, SampleSelection, TrackSamples } from './types.js';

/** The movie timescale (mvhd, tkhd and edit durations): milliseconds. */
export const MOVIE_TIMESCALE = 1000;
const US = 1_000_000;
/** chpl holds at most 255 chapters; a range with more gaps and events gets the first 255. */
const MAX_CHAPTERS = 255;

export function usToMovieTicks(us: number): number {
  return Math.round((us * MOVIE_TIMESCALE) / US);
}

/** Media duration of a track: where its last sample ends, in its ticks. */
export function mediaDurationTicks(track: TrackSamples): number {
  const last = track.count - 1;
  return last < 0 ? 0 : track.decodeTicks[last]! + track.durationTicks[last]!;
}

/**
 * Where the track's last presented instant ends on its media timeline: with B-frames the frames
 * decoded last are shown earlier, and the last shown frame ends after the last decode time.
 */
export function presentationEndTicks(track: TrackSamples): number {
  let end = 0;
  for (let i = 0; i < track.count; i++) {
    end = Math.max(end, track.decodeTicks[i]! + track.compositionOffsetTicks[i]! + track.durationTicks[i]!);
  }
  return end;
}

function pieceLengthsUs(selection: SampleSelection): number[] {
  return selection.pieces.map((p) => p.toUs - p.fromUs);
}

/**
 * Collapsed: one edit from the first shown instant (hiding the pre-roll). Gaps kept: one edit per
 * piece with an empty edit before each piece that starts after the previous one ended.
 */
export function editListFor(selection: SampleSelection, track: TrackSamples): ElstEntry[] {
  const ts = track.config.timescale;
  const start = track.presentationStartTicks;
  const available = ((presentationEndTicks(track) - start) * US) / ts;
  if (selection.request.gaps !== 'keep' || selection.pieces.length <= 1) {
    const durationUs = Math.max(0, Math.min(selection.durationUs, available));
    return [{ segmentDuration: usToMovieTicks(durationUs), mediaTime: start }];
  }
  const entries: ElstEntry[] = [];
  const lengths = pieceLengthsUs(selection);
  let collapsedUs = 0;
  let outputEndUs = 0;
  selection.pieces.forEach((piece, k) => {
    const gapUs = piece.outputStartUs - outputEndUs;
    if (k > 0 && gapUs > 0) entries.push({ segmentDuration: usToMovieTicks(gapUs), mediaTime: ELST_EMPTY_MEDIA_TIME });
    const lengthUs = Math.max(0, Math.min(lengths[k]!, available - collapsedUs));
    entries.push({ segmentDuration: usToMovieTicks(lengthUs), mediaTime: start + Math.round((collapsedUs * ts) / US) });
    collapsedUs += lengths[k]!;
    outputEndUs = piece.outputStartUs + lengths[k]!;
  });
  return entries;
}

/** `YYYY-MM-DD HH:mm:ss` in an IANA zone. */
export function formatWallClock(us: number, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: assertTimeZone('timeZone', timeZone),
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(new Date(Math.floor(us / 1000)))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * One chapter per recorded piece, titled with its wall-clock start, and one per event in
 * `meta.events` (`Alert: person`), in output time order; a piece's chapter comes before an
 * event's at the same instant.
 */
export function chaptersFor(selection: SampleSelection, meta: MetadataOptions & EventMetadata): Chapter[] {
  const pieces = selection.pieces.map((piece, k) => ({
    startUs: piece.outputStartUs,
    // The first piece shows the frame at `from` first, even when that frame began a little earlier.
    title: formatWallClock(k === 0 ? Math.max(piece.fromUs, selection.request.fromUs) : piece.fromUs, meta.timeZone),
  }));
  return mergeChapters(pieces, eventChaptersFor(selection, meta.events ?? []));
}

/** Two chapter lists, each in time order, as one in time order (ties: `first` before `second`), at most 255. */
export function mergeChapters(first: readonly Chapter[], second: readonly Chapter[]): Chapter[] {
  const merged: Chapter[] = [];
  let i = 0;
  let j = 0;
  while (merged.length < MAX_CHAPTERS && (i < first.length || j < second.length)) {
    const a = first[i];
    const b = second[j];
    if (b === undefined || (a !== undefined && a.startUs <= b.startUs)) {
      merged.push(a!);
      i++;
    } else {
      merged.push(b);
      j++;
    }
  }
  return merged;
}

export function udtaFieldsFor(selection: SampleSelection, meta: MetadataOptions & EventMetadata): UdtaFields {
  const { request } = selection;
  return {
    title: meta.title,
    date: usToIso(selection.firstShownUs),
    comment:
      `Vigil export of ${request.stream} (${request.variant}): ${usToIso(selection.firstShownUs)} to ` +
      `${usToIso(selection.lastShownEndUs)}, ${selection.pieces.length} recorded piece(s), gaps ${request.gaps === 'keep' ? 'kept' : 'collapsed'}`,
    chapters: chaptersFor(selection, meta),
  };
}
