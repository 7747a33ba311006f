/**
 * Synthetic index rows for planner and builder tests: real moofs (written by
 * the mp4 box writer) for segments of a 25 fps video track with a 1 s GOP and
 * 48 kHz AAC-like audio, without any file on disk.
 */
import type { FragmentRecord, SegmentRecord } from '../../archive/types.js';
import { audioTrack, videoTrack } from '../../archive/testing/fixtures.js';
import { buildFragment } from '../../mp4/fragment.js';
import type { SampleInfo, TrackConfig } from '../../mp4/types.js';
import type { ExportRequest } from '../types.js';

export const FRAME_TICKS = 3_600;
export const FRAME_US = 40_000;
export const AUDIO_FRAME_TICKS = 1_024;
export const VIDEO_SAMPLE_BYTES = 200;
export const AUDIO_SAMPLE_BYTES = 10;
const INIT_BYTES = 1_000;
const GOP_FRAMES = 25;
const FRAGMENT_FRAMES = 50;

export interface SyntheticSegmentOptions {
  id: number;
  startUs: number;
  frames: number;
  /** I P B B … in decode order, with composition offsets. */
  bFrames?: boolean;
  audio?: boolean;
  video?: TrackConfig;
}

/**
 * Frame `g` of a GOP (decode order) → composition offset in frames. With B-frames the GOP is
 * I P B B P B B … : I shows 1 frame after its decode time, a P 3 frames after, a B at once.
 */
export function compositionFrames(g: number, bFrames: boolean): number {
  if (!bFrames) return 0;
  if (g === 0) return 1;
  return (g - 1) % 3 === 0 ? 3 : 0;
}

export function syntheticSegment(o: SyntheticSegmentOptions): { segment: SegmentRecord; fragments: FragmentRecord[] } {
  const video = o.video ?? videoTrack;
  const withAudio = o.audio ?? true;
  const fragments: FragmentRecord[] = [];
  let moofOffset = INIT_BYTES;
  let audioTicks = 0;
  for (let first = 0, seq = 1; first < o.frames; first += FRAGMENT_FRAMES, seq++) {
    const count = Math.min(FRAGMENT_FRAMES, o.frames - first);
    const videoSamples: SampleInfo[] = Array.from({ length: count }, (_, i) => {
      const g = (first + i) % GOP_FRAMES;
      return {
        durationTicks: FRAME_TICKS,
        sizeBytes: VIDEO_SAMPLE_BYTES,
        isSync: g === 0,
        compositionOffsetTicks: compositionFrames(g, o.bFrames ?? false) * FRAME_TICKS,
      };
    });
    const runs = [
      {
        trackId: video.trackId,
        baseMediaDecodeTime: first * FRAME_TICKS,
        samples: videoSamples,
        payloads: videoSamples.map(() => new Uint8Array(VIDEO_SAMPLE_BYTES)),
      },
    ];
    if (withAudio) {
      // Audio covers the same span as the video of the fragment, on its own 1024-sample grid.
      const endTicks = Math.round(((first + count) * FRAME_TICKS * 48_000) / 90_000);
      const n = Math.max(0, Math.ceil((endTicks - audioTicks) / AUDIO_FRAME_TICKS));
      const samples: SampleInfo[] = Array.from({ length: n }, () => ({
        durationTicks: AUDIO_FRAME_TICKS,
        sizeBytes: AUDIO_SAMPLE_BYTES,
        isSync: true,
        compositionOffsetTicks: 0,
      }));
      runs.push({
        trackId: audioTrack.trackId,
        baseMediaDecodeTime: audioTicks,
        samples,
        payloads: samples.map(() => new Uint8Array(AUDIO_SAMPLE_BYTES)),
      });
      audioTicks += n * AUDIO_FRAME_TICKS;
    }
    const { moof, mdatChunks } = buildFragment(seq, runs);
    const mdatSizeBytes = mdatChunks.reduce((s, c) => s + c.length, 0);
    fragments.push({
      segmentId: o.id,
      sequenceNumber: seq,
      startUs: o.startUs + first * FRAME_US,
      endUs: o.startUs + (first + count) * FRAME_US,
      moofOffset,
      moofSizeBytes: moof.length,
      mdatSizeBytes,
      startsWithKeyframe: first % GOP_FRAMES === 0,
      moof,
    });
    moofOffset += moof.length + mdatSizeBytes;
  }
  const tracks = withAudio ? [video, audioTrack] : [video];
  return {
    segment: {
      id: o.id,
      stream: 'cam',
      variant: 'main',
      startUs: o.startUs,
      endUs: o.startUs + o.frames * FRAME_US,
      root: '/archive',
      path: `cam/${o.id}.mp4`,
      sizeBytes: moofOffset,
      initSizeBytes: INIT_BYTES,
      tracks,
      codecs: 'avc1.64001f,mp4a.40.2',
      closed: true,
    },
    fragments,
  };
}

/** Index rows of several synthetic segments, as `segmentsInRange` + `fragmentsOf` give them. */
export function syntheticInput(segments: SyntheticSegmentOptions[]): {
  segments: SegmentRecord[];
  fragments: FragmentRecord[];
} {
  const built = segments.map((s) => syntheticSegment(s));
  return { segments: built.map((b) => b.segment), fragments: built.flatMap((b) => b.fragments) };
}

export const T0 = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;

export function request(fromUs: number, toUs: number, gaps: 'collapse' | 'keep' = 'collapse'): ExportRequest {
  return { stream: 'cam', variant: 'main', fromUs, toUs, gaps };
}
