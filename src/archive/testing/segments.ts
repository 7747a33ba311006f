/** Builds real fMP4 segments with the mp4 writers, for archive and recovery tests. */
import { buildFragment, buildInitSegment } from '../../mp4/index.js';
import type { SampleInfo, TrackConfig } from '../../mp4/types.js';
import type { ArchiveWriter, NewFragment, SegmentAppender } from '../types.js';
import { videoTrack } from './fixtures.js';

const FRAMES_PER_FRAGMENT = 50;
const TICKS_PER_FRAME = 3_600; // 25 fps at 90 kHz: a fragment is 2 s
export const FRAGMENT_US = 2_000_000;

/** Fragment `index` (0-based) of a video-only segment starting at `startUs`. */
export function videoFragment(index: number, startUs: number, track: TrackConfig = videoTrack): NewFragment {
  const samples: SampleInfo[] = Array.from({ length: FRAMES_PER_FRAGMENT }, (_, i) => ({
    durationTicks: TICKS_PER_FRAME,
    sizeBytes: 32,
    isSync: i === 0,
    compositionOffsetTicks: 0,
  }));
  const { moof, mdatChunks } = buildFragment(index + 1, [
    {
      trackId: track.trackId,
      baseMediaDecodeTime: index * FRAMES_PER_FRAGMENT * TICKS_PER_FRAME,
      samples,
      payloads: samples.map((_, i) => new Uint8Array(32).fill((index * 7 + i) % 256)),
    },
  ]);
  return {
    sequenceNumber: index + 1,
    startUs: startUs + index * FRAGMENT_US,
    endUs: startUs + (index + 1) * FRAGMENT_US,
    startsWithKeyframe: true,
    moof,
    mdatChunks,
  };
}

/** Opens a segment and appends `fragments` 2 s fragments; closes it unless told not to. */
export async function writeVideoSegment(
  archive: ArchiveWriter,
  stream: string,
  startUs: number,
  fragments: number,
  opts: { close?: boolean; variant?: 'main' | 'sub' } = {},
): Promise<SegmentAppender> {
  const appender = await archive.openSegment({
    stream,
    variant: opts.variant ?? 'main',
    startUs,
    tracks: [videoTrack],
    initSegment: buildInitSegment([videoTrack]),
  });
  for (let i = 0; i < fragments; i++) await appender.appendFragment(videoFragment(i, startUs));
  if (opts.close ?? true) await appender.close();
  return appender;
}
