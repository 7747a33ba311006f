/**
 * node-av packets and streams → Vigil's plain SourcePacket/SourceTrack. The
 * payload is copied, once, into a Buffer the receiver owns (and may rewrite in
 * place): `packet.data` is a view of FFmpeg's memory, reused or freed on unref.
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

function ownedCopy(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  data.copy(out);
  return out;
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
    data: ownedCopy(data),
  };
  const extradata = copyBytes(packet.getSideData(AV_PKT_DATA_NEW_EXTRADATA));
  if (extradata !== undefined) out.newExtradata = extradata;
  return out;
}
