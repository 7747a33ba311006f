/**
 * An H.264/H.265 decoder opened straight from a track's avcC/hvcC record (no
 * demuxer: the archive already knows the samples), kept open between
 * thumbnails of the same codec configuration.
 */
import './polyfills.js';
import { AVERROR_EAGAIN, AVERROR_EOF, FF_DECODER_H264, FF_DECODER_HEVC } from 'node-av/constants';
import { Codec, CodecContext, FFmpegError, Frame, Packet } from 'node-av/lib';
import { VigilError } from '../errors.js';
import type { VideoCodec } from '../mp4/types.js';
import type { PooledItem } from './warm-pool.js';
import { canceledError } from './wait.js';

/** What a decoder is opened with; decoders opened with equal setups are interchangeable. */
export interface DecoderSetup {
  codec: VideoCodec;
  /** The avcC/hvcC payload. */
  decoderConfig: Uint8Array;
  /**
   * Frame threads pay off over a run of samples; for a lone keyframe they only
   * add a frame of delay and threads to wake.
   */
  frameThreads: boolean;
  /** Skip the deblocking filter: only where the picture is scaled down so far that its effect cannot be seen. */
  skipLoopFilter: boolean;
}

export function decoderKey(setup: DecoderSetup): string {
  const config = Buffer.from(
    setup.decoderConfig.buffer,
    setup.decoderConfig.byteOffset,
    setup.decoderConfig.byteLength,
  );
  return `${setup.codec}|${setup.frameThreads ? 'mt' : 'st'}|${setup.skipLoopFilter ? 'nolf' : 'lf'}|${config.toString('base64')}`;
}

export class ThumbnailDecoder implements PooledItem {
  private constructor(
    private readonly codec: VideoCodec,
    private readonly ctx: CodecContext,
    private readonly packet: Packet,
  ) {}

  static async open(setup: DecoderSetup): Promise<ThumbnailDecoder> {
    const codec = Codec.findDecoderByName(setup.codec === 'avc1' ? FF_DECODER_H264 : FF_DECODER_HEVC);
    if (codec === null) throw new VigilError('NOT_IMPLEMENTED', `thumbnail: no decoder for ${setup.codec}`);
    const ctx = new CodecContext();
    ctx.allocContext3(codec);
    try {
      ctx.extraData = Buffer.from(setup.decoderConfig);
      ctx.threadCount = setup.frameThreads ? 0 : 1;
      if (setup.skipLoopFilter) FFmpegError.throwIfError(ctx.setOption('skip_loop_filter', 'all'), 'skip_loop_filter');
      const ret = await ctx.open2(codec, null);
      if (ret < 0) {
        throw new VigilError(
          'MEDIA_INVALID',
          `thumbnail: cannot open the ${setup.codec} decoder: ${FFmpegError.strerror(ret)}`,
        );
      }
    } catch (err) {
      ctx.freeContext();
      throw err;
    }
    const packet = new Packet();
    packet.alloc();
    return new ThumbnailDecoder(setup.codec, ctx, packet);
  }

  /**
   * Feeds `samples` (decode order, from a keyframe) and leaves frame
   * `targetIndex` (presentation order) in `frame`; false if it never came.
   */
  async decode(samples: Uint8Array[], targetIndex: number, frame: Frame, stop: AbortSignal): Promise<boolean> {
    const { ctx, packet } = this;
    let received = 0;
    const drain = async (): Promise<boolean> => {
      for (;;) {
        const ret = await ctx.receiveFrame(frame);
        if (ret === AVERROR_EAGAIN || ret === AVERROR_EOF) return false;
        if (ret < 0) throw this.decodeError(ret);
        if (received++ === targetIndex) return true;
      }
    };
    for (const [i, sample] of samples.entries()) {
      if (stop.aborted) throw canceledError();
      packet.data = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength);
      packet.pts = BigInt(i);
      packet.dts = BigInt(i);
      packet.isKeyframe = i === 0;
      for (;;) {
        const ret = await ctx.sendPacket(packet);
        if (ret !== AVERROR_EAGAIN) {
          if (ret < 0) throw this.decodeError(ret);
          break;
        }
        if (await drain()) return true;
      }
      if (await drain()) return true;
    }
    // End of input: the decoder hands out the frames it held back for reordering.
    await ctx.sendPacket(null);
    return await drain();
  }

  /** Drops the frames still held for reordering and leaves end-of-stream, so the next keyframe starts clean. */
  recycle(): boolean {
    this.packet.unref();
    this.ctx.flushBuffers();
    return true;
  }

  close(): void {
    this.packet.free();
    this.ctx.freeContext();
  }

  private decodeError(ret: number): VigilError {
    return new VigilError('MEDIA_INVALID', `thumbnail: decoding ${this.codec} failed: ${FFmpegError.strerror(ret)}`);
  }
}
