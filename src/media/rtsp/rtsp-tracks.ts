/**
 * SDP media → the SourceTrack the recorder sees and the depacketizer that
 * feeds it. A media whose encoding Vigil cannot depacketize makes the whole
 * source unsupported (SOURCE_UNSUPPORTED, `NativeRtspUnsupported`), so that
 * the engine opens it with FFmpeg instead.
 */
import { VigilError } from '../../errors.js';
import { parseAvcSps, parseHevcSps } from '../../mp4/index.js';
import type { SourceTrack } from '../types.js';
import { aacFormatOf, type AacFormat } from './aac.js';
import { h264PayloadFormat, h264SpropSets } from './h264.js';
import { h265PayloadFormat, h265SpropSets } from './h265.js';
import type { SdpMedia } from './sdp.js';
import type { VideoPayloadFormat } from './video-depacketizer.js';

export type TrackPlan =
  | { kind: 'video'; media: SdpMedia; codec: 'h264' | 'hevc'; format: VideoPayloadFormat; spropSets: Uint8Array[] }
  | { kind: 'audio'; media: SdpMedia; codec: 'aac'; aac: AacFormat }
  | { kind: 'audio'; media: SdpMedia; codec: 'pcm_mulaw' | 'pcm_alaw' };

/** Thrown when the SDP has an audio or video encoding the native client does not depacketize. */
export class NativeRtspUnsupported extends VigilError {
  constructor(message: string) {
    super('SOURCE_UNSUPPORTED', message);
  }
}

/** Plans for the audio and video media; other media (metadata, ONVIF data) are not set up. */
export function planTracks(media: SdpMedia[]): TrackPlan[] {
  const plans: TrackPlan[] = [];
  for (const m of media) {
    if (m.kind === 'other') continue;
    const plan = planOne(m);
    if (plan === undefined) {
      throw new NativeRtspUnsupported(
        `rtsp: ${m.kind} encoding ${JSON.stringify(m.encoding || `payload type ${m.payloadType}`)} has no native depacketizer (H264, H265, MPEG4-GENERIC AAC, PCMU, PCMA)`,
      );
    }
    plans.push(plan);
  }
  if (plans.length === 0) throw new NativeRtspUnsupported('rtsp: the SDP has no audio or video media');
  return plans;
}

function planOne(m: SdpMedia): TrackPlan | undefined {
  if (m.kind === 'video' && m.encoding === 'H264') {
    const mode = m.fmtp.get('packetization-mode') ?? '0';
    if (mode !== '0' && mode !== '1') return undefined;
    return { kind: 'video', media: m, codec: 'h264', format: h264PayloadFormat, spropSets: h264SpropSets(m.fmtp) };
  }
  if (m.kind === 'video' && (m.encoding === 'H265' || m.encoding === 'HEVC')) {
    if (Number(m.fmtp.get('sprop-max-don-diff') ?? 0) > 0) return undefined;
    return { kind: 'video', media: m, codec: 'hevc', format: h265PayloadFormat, spropSets: h265SpropSets(m.fmtp) };
  }
  if (m.kind === 'audio' && m.encoding === 'MPEG4-GENERIC') {
    try {
      return { kind: 'audio', media: m, codec: 'aac', aac: aacFormatOf(m.fmtp) };
    } catch {
      return undefined;
    }
  }
  if (m.kind === 'audio' && m.encoding === 'PCMU') return { kind: 'audio', media: m, codec: 'pcm_mulaw' };
  if (m.kind === 'audio' && m.encoding === 'PCMA') return { kind: 'audio', media: m, codec: 'pcm_alaw' };
  return undefined;
}

/** The track as the recorder sees it; video extradata is the avcC/hvcC record, so payloads are length-prefixed. */
export function sourceTrackOf(
  plan: TrackPlan,
  index: number,
  record: Uint8Array | undefined,
  sps: Uint8Array | undefined,
): SourceTrack {
  const timeBase = { num: 1, den: plan.media.clockRate };
  if (plan.kind === 'video') {
    return { index, kind: 'video', codec: plan.codec, timeBase, extradata: record, ...pictureSize(plan.codec, sps) };
  }
  return {
    index,
    kind: 'audio',
    codec: plan.codec,
    timeBase,
    sampleRate: plan.media.clockRate,
    channelCount: plan.media.channels,
    extradata: plan.codec === 'aac' ? plan.aac.config : undefined,
  };
}

/** Picture size from an SPS, or undefined when it cannot be read. */
export function pictureSize(
  codec: 'h264' | 'hevc',
  sps: Uint8Array | undefined,
): { width: number; height: number } | undefined {
  if (sps === undefined) return undefined;
  try {
    const { width, height } = codec === 'h264' ? parseAvcSps(sps) : parseHevcSps(sps);
    return { width, height };
  } catch {
    return undefined;
  }
}
