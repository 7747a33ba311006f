/**
 * Packets of the recorded tracks → segments and fragments in the archive.
 * Holds the pure cores together: the wall clock (or a fixed start for
 * imports) places packets in UTC, the fragmenter decides cuts on the timing
 * track, the sample builders turn packets into samples, and a SegmentWriter
 * writes them. Video segments start on a keyframe whose parameter sets are
 * known; a change of parameter sets or a clock discontinuity starts a new one.
 */
import type { ArchiveWriter, SegmentRecord } from '../archive/types.js';
import type { Variant } from '../config/stream-types.js';
import type { SourcePacket } from '../media/types.js';
import { isAnnexB, toVideoDecoderConfig, type TrackConfig, type VideoDecoderConfig } from '../mp4/index.js';
import { adtsAudioSpecificConfig } from './adts.js';
import { Fragmenter, type FragmenterOptions } from './fragmenter.js';
import { SampleBuilder, type BuiltSample } from './sample-builder.js';
import { SegmentWriter, type WrittenFragment } from './segment-writer.js';
import { VIDEO_TIMESCALE, type TrackPlan } from './track-map.js';
import type { Discontinuity } from './wall-clock.js';
import { WallClock } from './wall-clock.js';

/** How stream time becomes UTC: anchored to the wall clock (live) or from a fixed start (import). */
export type Timing = { kind: 'wall'; now: () => number; clock?: WallClock } | { kind: 'fixed'; startUs: number };

export interface PipelineEvents {
  segmentOpened(segment: SegmentRecord, codecs: string): void;
  fragmentWritten(fragment: WrittenFragment): void;
  segmentClosed(segment: SegmentRecord): void;
  discontinuity(reason: Discontinuity | 'parameters'): void;
}

export interface PipelineOptions {
  archive: ArchiveWriter;
  stream: string;
  variant: Variant;
  plans: TrackPlan[];
  timing: Timing;
  fragmenter?: FragmenterOptions;
  events: PipelineEvents;
}

interface TrackRuntime {
  plan: TrackPlan;
  builder: SampleBuilder;
  timescale: number;
  extradata: Uint8Array | undefined;
  config: TrackConfig | undefined;
  /** Video whose packets are Annex B and may carry their own parameter sets. */
  inbandParameters: boolean;
}

export class PacketPipeline {
  private readonly tracks = new Map<number, TrackRuntime>();
  private readonly timing: TrackRuntime;
  private readonly fragmenter: Fragmenter;
  private readonly clock: WallClock | undefined;
  private writer: SegmentWriter | undefined;
  private firstMediaUs: number | undefined;
  private lastEndUs: number | undefined;
  /** A parameter change waits here for the keyframe that can start the new segment. */
  private pendingForce: 'parameters' | undefined;

  constructor(private readonly options: PipelineOptions) {
    for (const plan of options.plans) {
      const timescale = plan.kind === 'video' ? VIDEO_TIMESCALE : (plan.source.sampleRate ?? 8000);
      const lengthPrefixed = hasDecoderRecord(plan.source.extradata);
      this.tracks.set(plan.source.index, {
        plan,
        timescale,
        inbandParameters: plan.kind === 'video' && !lengthPrefixed,
        builder: new SampleBuilder({
          timeBase: plan.source.timeBase,
          timescale,
          video: plan.kind === 'video',
          videoPayload: lengthPrefixed ? 'length-prefixed' : 'detect',
          // AAC without an AudioSpecificConfig is ADTS (MPEG-TS sources).
          stripAdts: plan.kind === 'audio' && plan.codec === 'mp4a' && (plan.source.extradata?.length ?? 0) === 0,
        }),
        extradata: plan.source.extradata,
        config: plan.kind === 'audio' ? audioConfig(plan) : undefined,
      });
    }
    const timing = [...this.tracks.values()].find((t) => t.plan.kind === 'video') ?? [...this.tracks.values()][0];
    if (timing === undefined) throw new Error('packet pipeline: no tracks to record');
    this.timing = timing;
    this.fragmenter = new Fragmenter(options.fragmenter);
    this.clock = options.timing.kind === 'wall' ? (options.timing.clock ?? new WallClock()) : undefined;
  }

  /** UTC µs just after the last fragment written (imports continue from it). */
  get endUs(): number | undefined {
    return this.lastEndUs;
  }

  /**
   * Adds one packet of a source track (audio already transcoded where
   * planned). Its `release` is called once: when it is written, or at once
   * when it is dropped (before the first keyframe, an unknown track).
   */
  async push(packet: SourcePacket): Promise<void> {
    const track = this.tracks.get(packet.trackIndex);
    const ts = packet.dts ?? packet.pts;
    if (track === undefined || ts === undefined) {
      packet.release?.();
      return;
    }
    const mediaUs = (ts * track.plan.source.timeBase.num * 1_000_000) / track.plan.source.timeBase.den;
    if (track !== this.timing) {
      // Other tracks join whatever segment is open; before the first one they have nowhere to go.
      this.add(track, track.builder.push(packet));
      return;
    }
    let forced: Discontinuity | 'parameters' | undefined;
    if (track.plan.kind === 'video') {
      if (packet.newExtradata !== undefined && !sameBytes(packet.newExtradata, track.extradata)) {
        track.extradata = packet.newExtradata;
        if (track.config !== undefined) this.pendingForce = 'parameters';
        track.config = undefined;
      }
      // Annex B sources (RTSP, MPEG-TS, SRT) repeat their parameter sets in
      // keyframes and change them there, without new extradata: a keyframe
      // whose in-band parameter sets differ from the open segment's starts a
      // new segment with a new init. Checked once per GOP.
      const inband =
        packet.isKeyframe && track.inbandParameters ? inbandConfig(track.plan.codec, packet.data) : undefined;
      if (inband !== undefined && track.config !== undefined && !sameBytes(inband.decoderConfig, videoRecord(track))) {
        this.pendingForce = 'parameters';
        track.config = undefined;
      }
      if (track.config === undefined) {
        if (!packet.isKeyframe) {
          packet.release?.();
          return;
        }
        // In-band parameter sets win over the SDP's: they are what the samples use.
        const found = inband ?? toVideoDecoderConfig(track.plan.codec, track.extradata, packet.data);
        if (found === undefined) {
          packet.release?.();
          return;
        }
        track.config = {
          kind: 'video',
          trackId: track.plan.trackId,
          timescale: VIDEO_TIMESCALE,
          codec: track.plan.codec === 'h264' ? 'avc1' : 'hvc1',
          width: found.width,
          height: found.height,
          decoderConfig: found.decoderConfig,
        };
      }
    }
    forced = this.pendingForce;
    this.pendingForce = undefined;
    const placed = this.place(mediaUs);
    if (placed.discontinuity !== undefined) forced ??= placed.discontinuity;
    if (forced !== undefined) this.options.events.discontinuity(forced);
    const cut = this.fragmenter.next(mediaUs, packet.isKeyframe || track.plan.kind === 'audio', forced !== undefined);
    if (cut === 'none') {
      this.add(track, track.builder.push(packet));
      return;
    }
    if (cut === 'fragment') {
      this.add(track, track.builder.push(packet));
      await this.writeFragment();
      return;
    }
    // A new segment. Across a discontinuity the held sample cannot take its
    // duration from this packet; otherwise it can, exactly.
    if (forced === undefined) {
      this.add(track, track.builder.push(packet));
      this.flushOthers();
    } else {
      this.flushAll();
      track.builder.push(packet);
    }
    await this.closeSegment();
    await this.openSegment(placed.utcUs, mediaUs);
  }

  /** Writes what is held and closes the open segment. */
  async finish(): Promise<void> {
    this.flushAll();
    await this.closeSegment();
  }

  private place(mediaUs: number): { utcUs: number; discontinuity: Discontinuity | undefined } {
    const timing = this.options.timing;
    if (timing.kind === 'fixed') {
      this.firstMediaUs ??= mediaUs;
      return { utcUs: Math.round(timing.startUs + (mediaUs - this.firstMediaUs)), discontinuity: undefined };
    }
    const placed = this.clock?.place(this.timing.plan.trackId, mediaUs, timing.now());
    return placed === undefined
      ? { utcUs: timing.now(), discontinuity: undefined }
      : { ...placed, utcUs: Math.round(placed.utcUs) };
  }

  /** A sample goes to the open segment; with none open it is dropped, and its memory released. */
  private add(track: TrackRuntime, sample: BuiltSample | undefined): void {
    if (sample === undefined) return;
    if (this.writer === undefined) sample.release?.();
    else this.writer.add(track.plan.trackId, sample);
  }

  private flushOthers(): void {
    for (const t of this.tracks.values()) {
      if (t === this.timing) continue;
      this.add(t, t.builder.flush());
    }
  }

  private flushAll(): void {
    this.add(this.timing, this.timing.builder.flush());
    this.flushOthers();
  }

  private async writeFragment(): Promise<void> {
    const written = await this.writer?.writeFragment();
    if (written !== undefined) this.fragmentWritten(written);
  }

  private fragmentWritten(written: WrittenFragment): void {
    this.lastEndUs = written.endUs;
    this.options.events.fragmentWritten(written);
  }

  private async closeSegment(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (writer === undefined) return;
    const last = await writer.close();
    if (last !== undefined) this.fragmentWritten(last);
    this.options.events.segmentClosed(writer.segment);
  }

  private async openSegment(startUs: number, originMediaUs: number): Promise<void> {
    const configs = [...this.tracks.values()].map((t) => t.config).filter((c): c is TrackConfig => c !== undefined);
    this.writer = await SegmentWriter.open(this.options.archive, {
      stream: this.options.stream,
      variant: this.options.variant,
      startUs,
      tracks: configs.sort((a, b) => a.trackId - b.trackId),
      originMediaUs,
    });
    this.options.events.segmentOpened(this.writer.segment, this.writer.codecs);
  }
}

function audioConfig(plan: Extract<TrackPlan, { kind: 'audio' }>): TrackConfig {
  const sampleRate = plan.source.sampleRate ?? 8000;
  return {
    kind: 'audio',
    trackId: plan.trackId,
    timescale: sampleRate,
    codec: plan.codec,
    sampleRate,
    channelCount: plan.source.channelCount ?? 1,
    decoderConfig: plan.codec === 'mp4a' ? aacDecoderConfig(plan) : new Uint8Array(),
  };
}

function aacDecoderConfig(plan: Extract<TrackPlan, { kind: 'audio' }>): Uint8Array {
  const extradata = plan.source.extradata;
  if (extradata !== undefined && extradata.length > 0) return extradata;
  return adtsAudioSpecificConfig(plan.source.sampleRate ?? 48_000, plan.source.channelCount ?? 1);
}

function inbandConfig(codec: 'h264' | 'hevc', accessUnit: Uint8Array): VideoDecoderConfig | undefined {
  if (!isAnnexB(accessUnit)) return undefined;
  try {
    return toVideoDecoderConfig(codec, undefined, accessUnit);
  } catch {
    // A parameter set Vigil cannot parse is left to the decoder, as before.
    return undefined;
  }
}

function videoRecord(track: TrackRuntime): Uint8Array | undefined {
  return track.config?.kind === 'video' ? track.config.decoderConfig : undefined;
}

/** An avcC/hvcC record (configurationVersion 1), as MP4 and FLV sources give: their packets are length-prefixed. */
function hasDecoderRecord(extradata: Uint8Array | undefined): boolean {
  return extradata !== undefined && extradata.length > 0 && extradata[0] === 1 && !isAnnexB(extradata);
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}
