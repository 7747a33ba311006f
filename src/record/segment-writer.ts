/**
 * One segment file: the init segment, then fragments as they fill, then
 * close. Samples are collected per track; `writeFragment` turns what has been
 * collected into a moof + mdat and appends it. Decode times inside the
 * segment start at 0 for the timing track and run on continuously per track,
 * so every file plays alone.
 */
// fragment-time.js itself, not the archive's index: a recorder worker thread must not load SQLite.
import { fragmentTimesUs, timingTrack } from '../archive/fragment-time.js';
import type { ArchiveWriter, NewFragment, SegmentAppender, SegmentRecord } from '../archive/types.js';
import type { Variant } from '../config/stream-types.js';
import { buildFragment, buildInitSegment, codecString } from '../mp4/index.js';
import type { FragmentRun, TrackConfig } from '../mp4/index.js';
import type { BuiltSample } from './sample-builder.js';

export interface SegmentStart {
  stream: string;
  variant: Variant;
  /** UTC µs of the segment's first timing-track sample. */
  startUs: number;
  tracks: TrackConfig[];
  /** Stream time (µs) of the first timing-track sample: decode time 0 of every track. */
  originMediaUs: number;
}

export interface WrittenFragment {
  segment: SegmentRecord;
  sequenceNumber: number;
  startUs: number;
  endUs: number;
  sizeBytes: number;
}

/** RFC 6381 codec strings of a segment's tracks, comma-separated. */
export function segmentCodecs(tracks: readonly TrackConfig[]): string {
  return tracks.map((t) => codecString(t)).join(',');
}

interface TrackState {
  config: TrackConfig;
  /** Decode time of the next sample, in segment ticks; undefined until the first sample. */
  nextDecodeTime: number | undefined;
  pending: BuiltSample[];
}

export class SegmentWriter {
  private readonly tracks = new Map<number, TrackState>();
  private readonly timingTrackId: number;
  private sequenceNumber = 0;
  private closed = false;

  private constructor(
    private readonly appender: SegmentAppender,
    private readonly start: SegmentStart,
  ) {
    for (const config of start.tracks)
      this.tracks.set(config.trackId, { config, nextDecodeTime: undefined, pending: [] });
    this.timingTrackId = timingTrack(start.tracks).trackId;
  }

  static async open(archive: ArchiveWriter, start: SegmentStart): Promise<SegmentWriter> {
    const initSegment = buildInitSegment(start.tracks, { creationTimeUs: start.startUs });
    const appender = await archive.openSegment({
      stream: start.stream,
      variant: start.variant,
      startUs: start.startUs,
      tracks: start.tracks,
      initSegment,
    });
    return new SegmentWriter(appender, start);
  }

  get segment(): SegmentRecord {
    return this.appender.segment;
  }

  get codecs(): string {
    return segmentCodecs(this.start.tracks);
  }

  add(trackId: number, sample: BuiltSample): void {
    const state = this.tracks.get(trackId);
    if (state === undefined || this.closed) {
      sample.release?.();
      return;
    }
    if (state.nextDecodeTime === undefined) {
      const originTicks = Math.round((this.start.originMediaUs * state.config.timescale) / 1_000_000);
      // A sample from just before the origin (audio ahead of the first keyframe) starts at 0.
      state.nextDecodeTime = Math.max(0, sample.dtsTicks - originTicks);
    }
    state.pending.push(sample);
  }

  /** Whether a fragment can be written: the timing track has samples. */
  get hasFragment(): boolean {
    return (this.tracks.get(this.timingTrackId)?.pending.length ?? 0) > 0;
  }

  /** Appends the collected samples as one fragment; undefined when there is nothing to write. */
  async writeFragment(): Promise<WrittenFragment | undefined> {
    if (!this.hasFragment || this.closed) return undefined;
    const runs: FragmentRun[] = [];
    const written: BuiltSample[] = [];
    for (const state of this.tracks.values()) {
      if (state.pending.length === 0 || state.nextDecodeTime === undefined) continue;
      written.push(...state.pending);
      const samples = state.pending.map((s) => s.info);
      runs.push({
        trackId: state.config.trackId,
        baseMediaDecodeTime: state.nextDecodeTime,
        samples,
        payloads: state.pending.map((s) => s.payload),
      });
      state.nextDecodeTime += samples.reduce((sum, s) => sum + s.durationTicks, 0);
      state.pending = [];
    }
    this.sequenceNumber += 1;
    const { moof, mdatChunks } = buildFragment(this.sequenceNumber, runs);
    const times = fragmentTimesUs(
      this.start.startUs,
      0,
      { sequenceNumber: this.sequenceNumber, runs: runs.map((r) => ({ ...r, dataOffset: 0 })) },
      this.start.tracks,
    );
    const timing = runs.find((r) => r.trackId === this.timingTrackId);
    const fragment: NewFragment = {
      sequenceNumber: this.sequenceNumber,
      startUs: times.startUs,
      endUs: times.endUs,
      startsWithKeyframe: timing?.samples[0]?.isSync ?? false,
      moof,
      mdatChunks,
    };
    await this.appender.appendFragment(fragment);
    // The bytes are in the file: the source may reuse their memory.
    for (const sample of written) sample.release?.();
    const sizeBytes = moof.length + mdatChunks.reduce((sum, c) => sum + c.length, 0);
    return { segment: this.appender.segment, sequenceNumber: this.sequenceNumber, ...times, sizeBytes };
  }

  /** Writes what is left and closes the file. */
  async close(): Promise<WrittenFragment | undefined> {
    if (this.closed) return undefined;
    let last: WrittenFragment | undefined;
    try {
      last = await this.writeFragment();
    } finally {
      this.closed = true;
      await this.appender.close();
    }
    return last;
  }
}
