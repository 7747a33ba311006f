/**
 * `demo://clock`: a built-in live camera. FFmpeg's testsrc2 with the local
 * time burnt in, encoded to H.264 (ultrafast, zerolatency, GOP 50) and paced
 * at real time, so it behaves like a camera without a network.
 */
import './polyfills.js';
import { Decoder, Demuxer, Encoder } from 'node-av/api';
import { AV_CODEC_FLAG_GLOBAL_HEADER, FF_ENCODER_LIBX264 } from 'node-av/constants';
import type { Packet } from 'node-av/lib';
import { VigilError } from '../errors.js';
import { copyBytes, packetToSourcePacket } from './packet-convert.js';
import { RealtimePacer } from './pacer.js';
import type { MediaSource, OpenSourceOptions, SourcePacket, SourceTrack } from './types.js';
import { canceledError } from './wait.js';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 25;
const GRAPH =
  `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${FPS},` +
  "drawtext=text='%{localtime}':fontsize=32:fontcolor=white:box=1:boxcolor=black@0.5:x=16:y=16";

export async function openDemoClockSource(url: string, options: OpenSourceOptions): Promise<MediaSource> {
  const demuxer = await Demuxer.open(GRAPH, { format: 'lavfi' });
  const stream = demuxer.video();
  if (stream === undefined) {
    await demuxer.close();
    throw new VigilError('SOURCE_FAILED', 'demo://clock: the test picture has no video');
  }
  const decoder = await Decoder.create(stream);
  const encoder = await Encoder.create(FF_ENCODER_LIBX264, {
    bitrate: '600k',
    gopSize: 50,
    maxBFrames: 0,
    threadCount: 1,
    options: { preset: 'ultrafast', tune: 'zerolatency' },
  });
  // Parameter sets in extradata, known before the first packet is handed out.
  encoder.setCodecFlags(AV_CODEC_FLAG_GLOBAL_HEADER);
  const source = new DemoClockSource(url, demuxer, decoder, encoder, options);
  try {
    await source.prime();
  } catch (err) {
    await source.close();
    throw err;
  }
  return source;
}

class DemoClockSource implements MediaSource {
  tracks: SourceTrack[] = [];
  private readonly pending: SourcePacket[] = [];
  private readonly input: AsyncIterator<Packet | null>;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly demuxer: Demuxer,
    private readonly decoder: Decoder,
    private readonly encoder: Encoder,
    private readonly options: OpenSourceOptions,
  ) {
    this.input = demuxer.packets()[Symbol.asyncIterator]();
  }

  /** Encodes until the first packet exists, so the track (and its extradata) is known. */
  async prime(): Promise<void> {
    while (this.pending.length === 0) await this.produce();
    const ctx = this.encoder.getCodecContext();
    const tb = ctx?.timeBase ?? { num: 1, den: FPS };
    this.tracks = [
      {
        index: 0,
        kind: 'video',
        codec: 'h264',
        timeBase: { num: tb.num, den: tb.den },
        width: WIDTH,
        height: HEIGHT,
        extradata: copyBytes(ctx?.extraData),
      },
    ];
  }

  async *packets(): AsyncIterable<SourcePacket> {
    const { signal } = this.options;
    const pacer = new RealtimePacer();
    for (;;) {
      if (signal?.aborted === true) throw canceledError();
      if (this.closed) return;
      while (this.pending.length === 0) await this.produce();
      const packet = this.pending.shift();
      if (packet === undefined) continue;
      const track = this.tracks[0];
      if (track !== undefined) await pacer.wait(packet.dts ?? packet.pts, track.timeBase, signal);
      yield packet;
    }
  }

  private async produce(): Promise<void> {
    if (this.closed) throw canceledError();
    const next = await this.input.next();
    const raw = next.done === true ? null : next.value;
    if (raw === null) throw new VigilError('SOURCE_FAILED', 'demo://clock: source ended');
    try {
      const frames = await this.decoder.decodeAll(raw);
      for (const frame of frames) {
        try {
          const packets = await this.encoder.encodeAll(frame);
          for (const packet of packets) {
            try {
              const out = packetToSourcePacket(packet);
              if (out !== undefined) this.pending.push({ ...out, trackIndex: 0 });
            } finally {
              packet.free();
            }
          }
        } finally {
          frame.free();
        }
      }
    } finally {
      raw.free();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.input.return?.(null).catch(() => undefined);
    this.encoder.close();
    this.decoder.close();
    await this.demuxer.close();
  }
}
