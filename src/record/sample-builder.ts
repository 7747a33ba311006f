/**
 * Packets → mp4 samples. A sample's duration is the distance to the next
 * packet of its track, so one packet per track is held back until the next
 * arrives. Times are converted from the track's time base to the mp4
 * timescale from absolute timestamps (never by summing rounded durations), so
 * rounding never accumulates. Pure.
 */
import { annexBToLengthPrefixedInPlace, isAnnexB } from '../mp4/bitstream/annex-b.js';
import type { SampleInfo } from '../mp4/types.js';
import { stripAdtsHeader } from './adts.js';
import type { Rational, SourcePacket } from '../media/types.js';

export interface BuiltSample {
  /** Decode time in timescale ticks (absolute, from the stream's clock). */
  dtsTicks: number;
  info: SampleInfo;
  payload: Uint8Array;
  /** The packet's `release`: called once the sample is written (SourcePacket.release). */
  release: (() => void) | undefined;
}

export interface SampleTrackOptions {
  timeBase: Rational;
  /** mp4 timescale: 90000 for video, the sample rate for audio. */
  timescale: number;
  /** Video payloads are rewritten from Annex B to 4-byte length prefixes. */
  video: boolean;
  /**
   * What video payloads are: `length-prefixed` when the source gave an
   * avcC/hvcC record (MP4, FLV), else `detect` per packet. Detection alone
   * would take a length-prefixed sample whose first NAL unit is 256–511
   * bytes long (00 00 01 xx) for Annex B.
   */
  videoPayload?: 'detect' | 'length-prefixed';
  /** Audio payloads are ADTS frames whose headers are dropped. */
  stripAdts?: boolean;
}

interface Held {
  dtsTicks: number;
  ptsTicks: number;
  isSync: boolean;
  payload: Uint8Array;
  /** The packet's own duration, for when no next packet comes. */
  durationTicks: number;
  release: (() => void) | undefined;
}

export class SampleBuilder {
  private held: Held | undefined;
  private lastDurationTicks = 0;

  constructor(private readonly options: SampleTrackOptions) {}

  /** Ticks of a timestamp in the track's time base. */
  toTicks(timestamp: number): number {
    const { timeBase, timescale } = this.options;
    return Math.round((timestamp * timeBase.num * timescale) / timeBase.den);
  }

  /** Adds a packet, taking ownership of its payload; returns the previous packet as a complete sample, if there was one. */
  push(packet: SourcePacket): BuiltSample | undefined {
    const dts = packet.dts ?? packet.pts;
    const dtsTicks =
      dts !== undefined
        ? this.toTicks(dts)
        : this.held !== undefined
          ? this.held.dtsTicks + this.fallbackDuration()
          : 0;
    const ptsTicks = packet.pts !== undefined ? this.toTicks(packet.pts) : dtsTicks;
    // The builder owns packet payloads (the engine copied them out), so the
    // conversion may rewrite start codes in place.
    const payload =
      this.options.video && this.options.videoPayload !== 'length-prefixed' && isAnnexB(packet.data)
        ? annexBToLengthPrefixedInPlace(packet.data)
        : this.options.stripAdts === true
          ? stripAdtsHeader(packet.data)
          : packet.data;
    const previous = this.held;
    this.held = {
      dtsTicks,
      ptsTicks,
      isSync: this.options.video ? packet.isKeyframe : true,
      payload,
      durationTicks: packet.duration > 0 ? this.toTicks(packet.duration) : 0,
      release: packet.release,
    };
    if (previous === undefined) return undefined;
    // Equal timestamps (seen from some cameras) still need a positive duration.
    const durationTicks = Math.max(1, dtsTicks - previous.dtsTicks);
    this.lastDurationTicks = durationTicks;
    return toSample(previous, durationTicks);
  }

  /** Releases the held packet with its own (or the last seen) duration: at a segment end or discontinuity. */
  flush(): BuiltSample | undefined {
    const held = this.held;
    this.held = undefined;
    if (held === undefined) return undefined;
    const durationTicks = held.durationTicks > 0 ? held.durationTicks : this.fallbackDuration();
    return toSample(held, durationTicks);
  }

  private fallbackDuration(): number {
    return this.lastDurationTicks > 0 ? this.lastDurationTicks : Math.max(1, Math.round(this.options.timescale / 25));
  }
}

function toSample(held: Held, durationTicks: number): BuiltSample {
  return {
    dtsTicks: held.dtsTicks,
    info: {
      durationTicks,
      sizeBytes: held.payload.length,
      isSync: held.isSync,
      compositionOffsetTicks: held.ptsTicks - held.dtsTicks,
    },
    payload: held.payload,
    release: held.release,
  };
}
