/**
 * Wall-clock times of a fragment, from its decode times. One function, used by
 * the recorder when it writes and by recovery when it re-reads, so both put a
 * fragment at the same instant.
 */
import { VigilError } from '../errors.js';
import type { FragmentInfo, TrackConfig } from '../mp4/types.js';
import { US_PER_SECOND } from '../time.js';

/** The track that times a segment: the video track, or the first track when there is no video. */
export function timingTrack(tracks: readonly TrackConfig[]): TrackConfig {
  const track = tracks.find((t) => t.kind === 'video') ?? tracks[0];
  if (track === undefined) throw new VigilError('MEDIA_INVALID', 'segment has no tracks to time it by');
  return track;
}

/** The timing track's run in a fragment. */
export function timingRun(fragment: FragmentInfo, tracks: readonly TrackConfig[]): FragmentInfo['runs'][number] {
  const track = timingTrack(tracks);
  const run = fragment.runs.find((r) => r.trackId === track.trackId);
  if (run === undefined) {
    throw new VigilError(
      'MEDIA_INVALID',
      `fragment ${fragment.sequenceNumber} has no samples of track ${track.trackId}, the track that times it`,
    );
  }
  return run;
}

/**
 * `startUs = segmentStartUs + (tfdt − firstBaseDecodeTime) · 10⁶ / timescale`;
 * `endUs` adds the run's sample durations. `firstBaseDecodeTime` is the timing
 * track's tfdt in the segment's first fragment.
 */
export function fragmentTimesUs(
  segmentStartUs: number,
  firstBaseDecodeTime: number,
  fragment: FragmentInfo,
  tracks: readonly TrackConfig[],
): { startUs: number; endUs: number } {
  const { timescale } = timingTrack(tracks);
  const run = timingRun(fragment, tracks);
  const durationTicks = run.samples.reduce((sum, s) => sum + s.durationTicks, 0);
  const startTicks = run.baseMediaDecodeTime - firstBaseDecodeTime;
  return {
    startUs: segmentStartUs + Math.round((startTicks * US_PER_SECOND) / timescale),
    endUs: segmentStartUs + Math.round(((startTicks + durationTicks) * US_PER_SECOND) / timescale),
  };
}

/** Whether the fragment starts on a video keyframe (true when the segment has no video). */
export function startsWithKeyframe(fragment: FragmentInfo, tracks: readonly TrackConfig[]): boolean {
  const video = tracks.find((t) => t.kind === 'video');
  if (video === undefined) return true;
  const run = fragment.runs.find((r) => r.trackId === video.trackId);
  return run?.samples[0]?.isSync ?? false;
}
