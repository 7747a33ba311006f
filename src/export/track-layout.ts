/**
 * The track layout an export is built on, and the check that a range does not
 * cross a change of it. Downloads answer a change with CODEC_CHANGED (409)
 * that says where to split; archive HLS marks it with a discontinuity instead.
 */
import type { SegmentRecord } from '../archive/types.js';
import { VigilError } from '../errors.js';
import type { AudioTrackConfig, TrackConfig, VideoTrackConfig } from '../mp4/types.js';
import { usToIso } from '../time.js';

/** The source tracks an export copies: the first video and the first audio track of a segment. */
export interface TrackLayout {
  video: VideoTrackConfig | undefined;
  audio: AudioTrackConfig | undefined;
}

export function trackLayoutOf(segment: SegmentRecord): TrackLayout {
  const video = segment.tracks.find((t): t is VideoTrackConfig => t.kind === 'video');
  const audio = segment.tracks.find((t): t is AudioTrackConfig => t.kind === 'audio');
  return { video, audio };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameTrack(a: TrackConfig | undefined, b: TrackConfig | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.codec !== b.codec || a.timescale !== b.timescale || !sameBytes(a.decoderConfig, b.decoderConfig)) return false;
  if (a.kind === 'video' && b.kind === 'video') return a.width === b.width && a.height === b.height;
  if (a.kind === 'audio' && b.kind === 'audio') {
    return a.sampleRate === b.sampleRate && a.channelCount === b.channelCount;
  }
  return false;
}

export function sameLayout(a: TrackLayout, b: TrackLayout): boolean {
  return sameTrack(a.video, b.video) && sameTrack(a.audio, b.audio);
}

export function describeLayout(layout: TrackLayout): string {
  const parts: string[] = [];
  if (layout.video !== undefined) {
    parts.push(`${layout.video.codec} ${layout.video.width}x${layout.video.height}`);
  }
  if (layout.audio !== undefined) {
    parts.push(`${layout.audio.codec} ${layout.audio.sampleRate} Hz ${layout.audio.channelCount} ch`);
  }
  return parts.length === 0 ? 'no tracks' : parts.join(' + ');
}

function unixSeconds(us: number): string {
  return String(us / 1e6);
}

/** The error for a range that crosses a layout change at `changeUs`: it names both ranges to ask for instead. */
export function codecChangedError(
  fromUs: number,
  toUs: number,
  changeUs: number,
  before: TrackLayout,
  after: TrackLayout,
): VigilError {
  const range = (a: number, b: number): string =>
    `${usToIso(a)} – ${usToIso(b)} (from=${unixSeconds(a)} duration=${unixSeconds(b - a)})`;
  return new VigilError(
    'CODEC_CHANGED',
    `the range ${usToIso(fromUs)} – ${usToIso(toUs)} crosses a codec change at ${usToIso(changeUs)} ` +
      `(Unix ${unixSeconds(changeUs)} s): ${describeLayout(before)} → ${describeLayout(after)}; ` +
      `ask for ${range(fromUs, changeUs)} and ${range(changeUs, toUs)} instead`,
    { field: 'from' },
  );
}
