/**
 * G.711 (µ-law/A-law) → AAC-LC, so browsers can play a camera's audio.
 * FFmpeg's G.711 decoder gives s16 at the source rate; node-av's Encoder
 * (autoResample) converts to the AAC encoder's float planar format and cuts
 * 1024-sample frames through its audio FIFO.
 */
import './polyfills.js';
import { Encoder } from 'node-av/api';
import {
  AV_CH_LAYOUT_MONO,
  AV_CH_LAYOUT_STEREO,
  AV_CHANNEL_ORDER_NATIVE,
  AV_CODEC_FLAG_GLOBAL_HEADER,
  AV_NOPTS_VALUE,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  FF_DECODER_PCM_ALAW,
  FF_DECODER_PCM_MULAW,
  FF_ENCODER_AAC,
} from 'node-av/constants';
import { Codec, CodecContext, Frame, Packet, avRescaleQ } from 'node-av/lib';
import { VigilError } from '../errors.js';
import { copyBytes, timestampOrUndefined } from './packet-convert.js';
import type { AudioTranscoder, Rational, SourcePacket, SourceTrack } from './types.js';

const AAC_FRAME_SAMPLES = 1024;
const AAC_LC_OBJECT_TYPE = 2;
const SAMPLE_RATE_INDEX = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** The two-byte AudioSpecificConfig of AAC-LC, for when the encoder gives none. */
export function aacLcAudioSpecificConfig(sampleRate: number, channelCount: number): Uint8Array {
  const index = SAMPLE_RATE_INDEX.indexOf(sampleRate);
  if (index < 0) throw new VigilError('SOURCE_UNSUPPORTED', `audio: AAC has no sample rate index for ${sampleRate} Hz`);
  return Uint8Array.of((AAC_LC_OBJECT_TYPE << 3) | (index >> 1), ((index & 1) << 7) | (channelCount << 3));
}

export async function createAacTranscoder(track: SourceTrack): Promise<AudioTranscoder> {
  if (track.kind !== 'audio' || (track.codec !== 'pcm_mulaw' && track.codec !== 'pcm_alaw')) {
    throw new VigilError('SOURCE_UNSUPPORTED', `audio: cannot transcode ${track.codec} to AAC (only G.711)`);
  }
  const sampleRate = track.sampleRate ?? 8000;
  const channelCount = Math.min(2, track.channelCount ?? 1);
  const codec = Codec.findDecoderByName(track.codec === 'pcm_mulaw' ? FF_DECODER_PCM_MULAW : FF_DECODER_PCM_ALAW);
  if (codec === null) throw new VigilError('SOURCE_UNSUPPORTED', `audio: no ${track.codec} decoder`);
  const decoder = new CodecContext();
  decoder.allocContext3(codec);
  decoder.sampleRate = sampleRate;
  decoder.channelLayout = {
    order: AV_CHANNEL_ORDER_NATIVE,
    nbChannels: channelCount,
    mask: channelCount === 2 ? AV_CH_LAYOUT_STEREO : AV_CH_LAYOUT_MONO,
  };
  decoder.pktTimebase = { num: track.timeBase.num, den: track.timeBase.den } as CodecContext['pktTimebase'];
  const ret = await decoder.open2(codec, null);
  if (ret < 0) {
    decoder.freeContext();
    throw new VigilError('SOURCE_FAILED', `audio: could not open the ${track.codec} decoder (${ret})`);
  }
  const encoder = await Encoder.create(FF_ENCODER_AAC, {
    // AAC allows 6144 bits per channel per 1024-sample frame: stay well under it at 8 kHz.
    bitrate: Math.min(64_000, sampleRate * 4) * channelCount,
    autoResample: true,
  });
  encoder.setCodecFlags(AV_CODEC_FLAG_GLOBAL_HEADER);
  return new G711ToAac(track, decoder, encoder, sampleRate, channelCount);
}

class G711ToAac implements AudioTranscoder {
  readonly outputTrack: SourceTrack;
  private readonly outTimeBase: Rational;
  private readonly frame = new Frame();
  private readonly packet = new Packet();
  private closed = false;

  constructor(
    private readonly input: SourceTrack,
    private readonly decoder: CodecContext,
    private readonly encoder: Encoder,
    sampleRate: number,
    channelCount: number,
  ) {
    this.outTimeBase = { num: 1, den: sampleRate };
    this.outputTrack = {
      index: input.index,
      kind: 'audio',
      codec: 'aac',
      timeBase: this.outTimeBase,
      sampleRate,
      channelCount,
      extradata: aacLcAudioSpecificConfig(sampleRate, channelCount),
    };
    this.frame.alloc();
    this.packet.alloc();
  }

  async transcode(packet: SourcePacket): Promise<SourcePacket[]> {
    if (this.closed) return [];
    this.packet.unref();
    this.packet.data = Buffer.from(packet.data);
    const ts = packet.pts ?? packet.dts;
    if (ts !== undefined) {
      this.packet.pts = BigInt(ts);
      this.packet.dts = BigInt(packet.dts ?? ts);
    }
    this.packet.duration = BigInt(packet.duration);
    this.packet.timeBase = this.input.timeBase as Packet['timeBase'];
    const sent = await this.decoder.sendPacket(this.packet);
    if (sent < 0 && sent !== AVERROR_EAGAIN) return [];
    return this.drainDecoder();
  }

  async flush(): Promise<SourcePacket[]> {
    if (this.closed) return [];
    await this.encoder.encode(null);
    return this.drainEncoder();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.frame.free();
    this.packet.free();
    this.decoder.freeContext();
    this.encoder.close();
  }

  private async drainDecoder(): Promise<SourcePacket[]> {
    const out: SourcePacket[] = [];
    for (;;) {
      const ret = await this.decoder.receiveFrame(this.frame);
      if (ret === AVERROR_EAGAIN || ret === AVERROR_EOF || ret < 0) break;
      // Encode in 1/sampleRate so output timestamps are plain sample counts.
      if (this.frame.pts !== AV_NOPTS_VALUE) {
        this.frame.pts = avRescaleQ(this.frame.pts, this.input.timeBase, this.outTimeBase);
      }
      this.frame.timeBase = this.outTimeBase as Frame['timeBase'];
      await this.encoder.encode(this.frame);
      this.frame.unref();
      out.push(...(await this.drainEncoder()));
    }
    return out;
  }

  private async drainEncoder(): Promise<SourcePacket[]> {
    const out: SourcePacket[] = [];
    for (;;) {
      const packet = await this.encoder.receive();
      if (packet === null || !(packet instanceof Packet)) break;
      try {
        const data = copyBytes(packet.data);
        if (data === undefined) continue;
        const tb = packet.timeBase;
        const rescale = (v: number | undefined): number | undefined =>
          v === undefined ? undefined : Number(avRescaleQ(v, tb, this.outTimeBase));
        const dur = Number(packet.duration);
        out.push({
          trackIndex: this.input.index,
          pts: rescale(timestampOrUndefined(packet.pts)),
          dts: rescale(timestampOrUndefined(packet.dts)),
          duration: dur > 0 ? (rescale(dur) ?? AAC_FRAME_SAMPLES) : AAC_FRAME_SAMPLES,
          isKeyframe: true,
          data,
        });
      } finally {
        packet.free();
      }
    }
    return out;
  }
}
