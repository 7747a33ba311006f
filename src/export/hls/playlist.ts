/**
 * HLS media playlists over the archive: byte ranges of epoch-timeline segment
 * files (see epoch-segment.ts), one entry per fragment (≈2 s, starting on a
 * keyframe). Pure: index rows in, playlist text out.
 */
import type { FragmentRecord, SegmentRecord } from '../../archive/types.js';
import { DEFAULT_GAP_TOLERANCE_US } from '../../archive/ranges.js';
import { US_PER_SECOND } from '../../time.js';

export type PlaylistKind =
  /** A closed range: `EXT-X-ENDLIST`. */
  | 'vod'
  /** From a past instant to now, growing: `EXT-X-PLAYLIST-TYPE:EVENT`. */
  | 'event'
  /** A sliding window over the newest fragments. */
  | 'live';

export interface PlaylistInput {
  kind: PlaylistKind;
  /** Ordered by start. */
  segments: readonly SegmentRecord[];
  /** Fragments of those segments, ordered by (segment start, sequence number). */
  fragments: readonly FragmentRecord[];
  /** Fragments ending after this instant and starting before `toUs` are listed. */
  fromUs: number;
  toUs: number;
  /** The URL of a segment file, relative to the playlist. */
  segmentUri: (segment: SegmentRecord) => string;
  /** live: how many of the newest fragments to list. */
  windowFragments?: number;
  /** live: each segment's stream-wide ordinal of its first fragment (Archive.sequenceBases). */
  sequenceBases?: ReadonlyMap<number, number>;
  gapToleranceUs?: number;
}

interface Entry {
  segment: SegmentRecord;
  fragment: FragmentRecord;
}

const DEFAULT_LIVE_WINDOW = 6;

/** Same tracks, same decoder configs: one init can stand for both segments. */
function sameTracks(a: SegmentRecord, b: SegmentRecord): boolean {
  return a.codecs === b.codecs && JSON.stringify(a.tracks) === JSON.stringify(b.tracks);
}

function seconds(us: number): string {
  return (us / US_PER_SECOND).toFixed(3);
}

export function buildPlaylist(input: PlaylistInput): string {
  const bySegment = new Map(input.segments.map((s) => [s.id, s]));
  let entries: Entry[] = [];
  for (const fragment of input.fragments) {
    const segment = bySegment.get(fragment.segmentId);
    if (segment === undefined || fragment.endUs <= input.fromUs || fragment.startUs >= input.toUs) continue;
    entries.push({ segment, fragment });
  }
  if (input.kind === 'live') entries = entries.slice(-(input.windowFragments ?? DEFAULT_LIVE_WINDOW));

  const gapUs = input.gapToleranceUs ?? DEFAULT_GAP_TOLERANCE_US;
  const maxDurationUs = Math.max(US_PER_SECOND, ...entries.map((e) => e.fragment.endUs - e.fragment.startUs));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${Math.ceil(maxDurationUs / US_PER_SECOND)}`];
  if (input.kind === 'live') {
    const first = entries[0];
    const base = first === undefined ? 0 : (input.sequenceBases?.get(first.segment.id) ?? 0);
    lines.push(`#EXT-X-MEDIA-SEQUENCE:${first === undefined ? 0 : base + first.fragment.sequenceNumber - 1}`);
  } else {
    lines.push('#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${input.kind === 'vod' ? 'VOD' : 'EVENT'}`);
  }
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');

  let mapOf: SegmentRecord | undefined;
  let previous: Entry | undefined;
  for (const entry of entries) {
    const { segment, fragment } = entry;
    const codecChange = mapOf !== undefined && !sameTracks(mapOf, segment);
    const gap = previous !== undefined && fragment.startUs - previous.fragment.endUs > gapUs;
    // A live window never says DISCONTINUITY: it would need a discontinuity sequence that survives
    // the window sliding; the epoch timeline already makes a gap a plain jump in time.
    if ((gap || codecChange) && input.kind !== 'live') lines.push('#EXT-X-DISCONTINUITY');
    if (mapOf === undefined || codecChange) {
      mapOf = segment;
      lines.push(`#EXT-X-MAP:URI="${input.segmentUri(segment)}",BYTERANGE="${segment.initSizeBytes}@0"`);
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(fragment.startUs / 1000).toISOString()}`);
    lines.push(`#EXTINF:${seconds(fragment.endUs - fragment.startUs)},`);
    lines.push(`#EXT-X-BYTERANGE:${fragment.moofSizeBytes + fragment.mdatSizeBytes}@${fragment.moofOffset}`);
    lines.push(input.segmentUri(segment));
    previous = entry;
  }
  if (input.kind === 'vod') lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}
