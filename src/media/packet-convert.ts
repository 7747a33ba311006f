/**
 * node-av packets and streams → Vigil's plain SourcePacket/SourceTrack. The
 * payload is node-av's `packet.data` itself: node-av hands out a Buffer of its
 * own for each packet (it stays intact after `unref()` and later reads, and
 * writing to it does not reach FFmpeg's packet), so the receiver owns it and
 * may rewrite it in place without a second copy.
 */
import './polyfills.js';
import { AV_NOPTS_VALUE, AV_PKT_DATA_NEW_EXTRADATA, AVMEDIA_TYPE_AUDIO, AVMEDIA_TYPE_VIDEO } from 'node-av/constants';
import { avGetCodecName, type Packet, type Stream } from 'node-av/lib';
import type { SourcePacket, SourceTrack } from './types.js';

export function timestampOrUndefined(value: bigint): number | undefined {
  return value === AV_NOPTS_VALUE ? undefined : Number(value);
}

export function copyBytes(buffer: Buffer | null | undefined): Uint8Array | undefined {
  if (buffer === null || buffer === undefined || buffer.length === 0) return undefined;
  return new Uint8Array(buffer);
}

/** The track a stream carries, or undefined for data/subtitle streams. */
export function streamToTrack(stream: Stream): SourceTrack | undefined {
  const par = stream.codecpar;
  const kind =
    par.codecType === AVMEDIA_TYPE_VIDEO ? 'video' : par.codecType === AVMEDIA_TYPE_AUDIO ? 'audio' : undefined;
  if (kind === undefined) return undefined;
  const tb = stream.timeBase;
  const track: SourceTrack = {
    index: stream.index,
    kind,
    codec: avGetCodecName(par.codecId) ?? `codec-${par.codecId}`,
    timeBase: { num: tb.num, den: tb.den },
    extradata: copyBytes(par.extradata),
  };
  if (kind === 'video') {
    track.width = par.width;
    track.height = par.height;
  } else {
    track.sampleRate = par.sampleRate;
    track.channelCount = par.channels > 0 ? par.channels : 1;
  }
  return track;
}

export function packetToSourcePacket(packet: Packet): SourcePacket | undefined {
  const data = packet.data;
  if (data === null || data.length === 0) return undefined;
  const out: SourcePacket = {
    trackIndex: packet.streamIndex,
    pts: timestampOrUndefined(packet.pts),
    dts: timestampOrUndefined(packet.dts),
    duration: Math.max(0, Number(packet.duration)),
    isKeyframe: packet.isKeyframe,
    data,
  };
  const extradata = copyBytes(packet.getSideData(AV_PKT_DATA_NEW_EXTRADATA));
  if (extradata !== undefined) out.newExtradata = extradata;
  return out;
}
