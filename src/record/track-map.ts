/**
 * Which source tracks are recorded, and as what. Video: the first H.264 or
 * H.265 track. Audio: the first audio track that is AAC, or G.711 handled as
 * the stream says (transcoded to AAC, kept as ulaw/alaw, or dropped).
 * Anything else is skipped with a reason. Pure.
 */
import type { AudioHandling } from '../config/stream-types.js';
import type { SourceTrack } from '../media/types.js';

export type TrackPlan =
  | { kind: 'video'; source: SourceTrack; trackId: number; codec: 'h264' | 'hevc' }
  | { kind: 'audio'; source: SourceTrack; trackId: number; codec: 'mp4a' | 'ulaw' | 'alaw'; transcode: boolean };

export interface TrackMap {
  plans: TrackPlan[];
  /** Human-readable reasons for tracks not recorded. */
  skipped: string[];
}

export const VIDEO_TIMESCALE = 90_000;

export function mapTracks(tracks: readonly SourceTrack[], audio: AudioHandling): TrackMap {
  const plans: TrackPlan[] = [];
  const skipped: string[] = [];
  let video: TrackPlan | undefined;
  let sound: TrackPlan | undefined;
  for (const track of tracks) {
    const label = `track ${track.index} (${track.kind} ${track.codec})`;
    if (track.kind === 'video') {
      if (video !== undefined) skipped.push(`${label}: only the first video track is recorded`);
      else if (track.codec === 'h264' || track.codec === 'hevc')
        video = { kind: 'video', source: track, trackId: 0, codec: track.codec === 'h264' ? 'h264' : 'hevc' };
      else skipped.push(`${label}: video codec not supported (H.264 or H.265 only)`);
      continue;
    }
    if (sound !== undefined) {
      skipped.push(`${label}: only the first audio track is recorded`);
    } else if (track.codec === 'aac') {
      sound = { kind: 'audio', source: track, trackId: 0, codec: 'mp4a', transcode: false };
    } else if (track.codec === 'pcm_mulaw' || track.codec === 'pcm_alaw') {
      if (audio === 'drop') skipped.push(`${label}: G.711 audio dropped (audio: drop)`);
      else if (audio === 'keep')
        sound = {
          kind: 'audio',
          source: track,
          trackId: 0,
          codec: track.codec === 'pcm_mulaw' ? 'ulaw' : 'alaw',
          transcode: false,
        };
      else sound = { kind: 'audio', source: track, trackId: 0, codec: 'mp4a', transcode: true };
    } else {
      skipped.push(`${label}: audio codec not supported (AAC or G.711 only)`);
    }
  }
  // Track ids follow the file's order: video first.
  for (const plan of [video, sound]) if (plan !== undefined) plans.push({ ...plan, trackId: plans.length + 1 });
  return { plans, skipped };
}
