/**
 * The FFmpeg output of a publisher: raw frames → swscale (pixel format and
 * size) → encoder → muxer (file, FLV to RTMP, RTSP, HLS), with node-av.
 *
 * Every engine call is node-av's async one, so conversion and encoding run on
 * libuv's pool and the event loop stays free. Conversion and encoding are two
 * serial stages that overlap (frame n+1 converts while frame n encodes), and
 * at most MAX_IN_FLIGHT frames wait between them: that bounds memory and
 * latency, and is the back-pressure `submit` gives its caller.
 */
import '../media/polyfills.js';
import { Encoder, Muxer } from 'node-av/api';
import {
  AVFMT_FLAG_CUSTOM_IO,
  AV_CODEC_FLAG_QSCALE,
  AV_LOG_ERROR,
  AV_PIX_FMT_BGR24,
  AV_PIX_FMT_RGB24,
  AV_PIX_FMT_RGBA,
  AV_PIX_FMT_YUV420P,
  FF_QP2LAMBDA,
  SWS_BICUBIC,
  SWS_BILINEAR,
  type AVPixelFormat,
  type FFEncoderCodec,
} from 'node-av/constants';
import { Codec, Frame, Log, Packet, Rational, SoftwareScaleContext } from 'node-av/lib';
import { VigilError, messageOf } from '../errors.js';
import { redact } from '../media/demux-source.js';
import { IoDeadline, checkReachable } from './network-deadline.js';
import { VideoFramePool } from './owned-frame.js';
import { muxerSetup, muxerTarget } from './output-format.js';
import { isRelayed, openRtmpRelay, type RtmpRelay } from './rtmp-relay.js';
import { resolveVigilAddress } from './vigil-address.js';
import type { PublisherConfig, PublisherPixelFormat } from './parameters.js';

/** Frames accepted but not yet written; `submit` waits while more are in flight. */
const MAX_IN_FLIGHT = 4;

const PIXEL_FORMATS: Record<PublisherPixelFormat, AVPixelFormat> = {
  rgb24: AV_PIX_FMT_RGB24,
  bgr24: AV_PIX_FMT_BGR24,
  rgba: AV_PIX_FMT_RGBA,
  yuv420p: AV_PIX_FMT_YUV420P,
};

/** What every publisher output offers (the vigil:// archive sink will be a second one). */
export interface FrameOutput {
  /** Time base of the published stream once its header is written, else the encoder's (1 / frame rate). */
  readonly timeBase: { num: number; den: number };
  /** Bytes of encoded video written so far. */
  readonly bytes: number;
  /** Frames encoded and written. */
  readonly written: number;
  /** The error that stopped the output, if any; later submits reject with it. */
  readonly failure: VigilError | undefined;
  /** Copies the frame at once, then resolves when there is room for another (rejects once the output failed). */
  submit(frame: Uint8Array, index: number): Promise<void>;
  /** Encodes every frame still buffered, writes the trailer and releases the output. */
  close(): Promise<void>;
}

export async function openFfmpegOutput(
  config: PublisherConfig,
  onFailure: (err: VigilError) => void,
): Promise<FrameOutput> {
  // FFmpeg's info chatter (x264 statistics) would flood the caller's stderr.
  Log.setLevel(AV_LOG_ERROR);
  // Hardware encoder names are not all in node-av's list of known encoders; FFmpeg decides.
  const codec = Codec.findEncoderByName(config.codecName as FFEncoderCodec);
  if (codec === null) {
    throw new VigilError(
      'INVALID_ARGUMENT',
      `codecName: ${config.codecName} is not in this FFmpeg build; use libx264, libx265 or mpeg4`,
      {
        field: 'codecName',
      },
    );
  }
  const resolved =
    config.target.kind === 'vigil' ? await resolveVigilAddress(config.address) : muxerTarget(config.address);
  // Messages name the address without its credentials.
  const shown = redact(config.address);
  const network = config.target.kind === 'rtmp' || config.target.kind === 'rtsp' || config.target.kind === 'vigil';
  // RTMP goes through a local relay the deadline can cut (rtmp-relay.ts); its connect replaces the check below.
  const relay = isRelayed(resolved) ? await openRtmpRelay(shown, resolved, config.timeoutMs) : undefined;
  // FFmpeg connects only when the first packet is written; a refused or silent address should fail open() instead.
  if (network && relay === undefined) await checkReachable(shown, resolved, config.timeoutMs);
  const target = relay?.localUrl ?? resolved;
  // Resetting the relayed connection fails FFmpeg's blocked call on it.
  const relayDeadline = relay === undefined ? undefined : new IoDeadline(shown, config.timeoutMs, () => relay.cut());
  const setup = muxerSetup(config.target, config, target);
  let encoder: Encoder;
  let muxer: Muxer;
  try {
    encoder = await createEncoder(config, codec);
  } catch (err) {
    relay?.cut();
    throw err;
  }
  try {
    // RTMP's handshake, connect and publish happen here, so a silent server must not hold it either.
    const open = () => Muxer.open(target, { format: setup.format, options: setup.options });
    muxer = relayDeadline === undefined ? await open() : await relayDeadline.run('starting to publish', open);
  } catch (err) {
    encoder.close();
    relay?.cut();
    if (err instanceof VigilError) throw err;
    throw new VigilError('PUBLISH_FAILED', `address: cannot open ${shown} for publishing: ${messageOf(err)}`, {
      field: 'address',
      cause: err,
    });
  }
  try {
    const streamIndex = muxer.addStream(encoder);
    const formatContext = muxer.getFormatContext();
    // RTSP connects at the first write (its muxer opened no I/O above) with the interrupt callback the deadline
    // trips. rtmps:// has neither that nor the relay yet (see muxerSetup).
    const deadline =
      relayDeadline ??
      (config.target.kind === 'rtsp'
        ? new IoDeadline(shown, config.timeoutMs, () => formatContext.interrupt())
        : undefined);
    return new FfmpegOutput(config, encoder, muxer, streamIndex, createScaler(config), onFailure, deadline, relay);
  } catch (err) {
    // Cut first: closing the muxer then fails at once on the relayed connection instead of waiting on it.
    relay?.cut();
    encoder.close();
    await muxer.close().catch(() => undefined);
    throw err;
  }
}

async function createEncoder(config: PublisherConfig, codec: Codec): Promise<Encoder> {
  const [num, den] = config.frameRate;
  const bitsPerSecond = config.bitRate * 1000;
  const x26x = config.codecName === 'libx264' || config.codecName === 'libx265';
  // Fixed GOPs, no scene-cut keyframes: a keyframe exactly every GOPSize frames, so HLS segments are whole GOPs.
  const options: Record<string, string> = {};
  if (x26x) {
    options.preset = config.preset;
    const params = 'scenecut=0';
    if (config.codecName === 'libx264') options['x264-params'] = params;
    else options['x265-params'] = `${params}:log-level=error`;
  } else if (config.codecName === 'mpeg4') {
    options.sc_threshold = '1000000000';
  } else if (config.codecName.endsWith('_nvenc')) {
    options['no-scenecut'] = '1';
  }
  const qscale = config.codecName === 'mpeg4' && bitsPerSecond === 0;
  return Encoder.create(codec, {
    bitrate: bitsPerSecond,
    ...(bitsPerSecond > 0 ? { maxRate: bitsPerSecond, bufSize: 2 * bitsPerSecond } : {}),
    gopSize: config.GOPSize,
    maxBFrames: config.maxBframe,
    threadCount: config.nthread,
    options,
    configure: (ctx) => {
      ctx.framerate = new Rational(num, den);
      if (qscale) {
        ctx.setFlags(AV_CODEC_FLAG_QSCALE);
        ctx.globalQuality = 4 * FF_QP2LAMBDA;
      }
    },
  });
}

/** A converter to yuv420p at the output size, or undefined when the frames already are that. */
function createScaler(config: PublisherConfig): SoftwareScaleContext | undefined {
  const resize = config.widthSrc !== config.width || config.heightSrc !== config.height;
  if (!resize && config.pixelFormat === 'yuv420p') return undefined;
  const sws = new SoftwareScaleContext();
  sws.getContext(
    config.widthSrc,
    config.heightSrc,
    PIXEL_FORMATS[config.pixelFormat],
    config.width,
    config.height,
    AV_PIX_FMT_YUV420P,
    resize ? SWS_BICUBIC : SWS_BILINEAR,
  );
  const ret = sws.initContext();
  if (ret < 0) throw new VigilError('INTERNAL', `publisher: cannot set up the frame converter (${ret})`);
  return sws;
}

class FfmpegOutput implements FrameOutput {
  bytes = 0;
  written = 0;
  failure: VigilError | undefined;
  private inFlight = 0;
  /** Callers of `submit` waiting for room, woken one per frame written (all at once on failure or close). */
  private readonly roomWaiters: Array<() => void> = [];
  private convertTail: Promise<unknown> = Promise.resolve();
  private encodeTail: Promise<unknown> = Promise.resolve();
  private readonly frameTimeBase: Rational;
  /** Copies of the caller's frames, in buffers used again once a frame is converted or encoded. */
  private readonly sources: VideoFramePool;
  /**
   * The converter's output frames, in buffers used again once encoded (a fresh 1080p buffer is ~2 ms of page
   * faults). A pool allocates on first use, so without a converter it holds nothing.
   */
  private readonly converted: VideoFramePool;
  private closed = false;

  constructor(
    private readonly config: PublisherConfig,
    private readonly encoder: Encoder,
    private readonly muxer: Muxer,
    private readonly streamIndex: number,
    private readonly scaler: SoftwareScaleContext | undefined,
    private readonly onFailure: (err: VigilError) => void,
    /** Network outputs only: files and HLS on a local disk do not hang on a peer. */
    private readonly deadline: IoDeadline | undefined,
    private readonly relay: RtmpRelay | undefined,
  ) {
    this.frameTimeBase = new Rational(config.frameRate[1], config.frameRate[0]);
    const layout = { width: config.widthSrc, height: config.heightSrc, format: PIXEL_FORMATS[config.pixelFormat] };
    // One spare beyond the frames in flight and the one being converted.
    this.sources = new VideoFramePool(layout, MAX_IN_FLIGHT + 2);
    const scaledLayout = { width: config.width, height: config.height, format: AV_PIX_FMT_YUV420P };
    this.converted = new VideoFramePool(scaledLayout, MAX_IN_FLIGHT + 2);
  }

  get timeBase(): { num: number; den: number } {
    const tb = this.muxer.getStream(this.streamIndex)?.timeBase;
    if (tb !== undefined && tb.num > 0 && tb.den > 0) return { num: tb.num, den: tb.den };
    return { num: this.frameTimeBase.num, den: this.frameTimeBase.den };
  }

  submit(bytes: Uint8Array, index: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new VigilError('CONFLICT', 'publisher: the output is closed'));
    const source = this.sources.copy(bytes, BigInt(index), this.frameTimeBase);
    this.inFlight += 1;
    const converted = this.convertTail.then(() => this.convert(source));
    this.convertTail = converted.catch(() => undefined);
    const encoded = Promise.all([converted, this.encodeTail]).then(([frame]) => this.encode(frame));
    this.encodeTail = encoded.catch((err: unknown) => this.fail(err));
    void this.encodeTail.finally(() => this.release());
    if (this.inFlight <= MAX_IN_FLIGHT) return Promise.resolve();
    return new Promise((resolve, reject) =>
      this.roomWaiters.push(() => (this.failure === undefined ? resolve() : reject(this.failure))),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.encodeTail;
      if (this.failure === undefined) {
        try {
          await this.encoder.flush();
          await this.drain();
        } catch (err) {
          this.fail(err);
        }
      }
    } finally {
      this.encoder.close();
      this.scaler?.freeContext();
      this.sources.close();
      this.converted.close();
      // node-av flags the I/O it opened from our URL as custom I/O and then frees it without closing it,
      // leaving an RTMP/RTSP connection (or a file descriptor) open for good. Cleared, close() closes it.
      this.muxer.getFormatContext().clearFlags(AVFMT_FLAG_CUSTOM_IO);
      await this.closeMuxer().catch((err: unknown) => this.fail(err));
      if (this.relay !== undefined) {
        const relay = this.relay;
        await this.io('closing the output', () => relay.finish()).catch((err: unknown) => this.fail(err));
        relay.cut();
      }
      for (const wake of this.roomWaiters.splice(0)) wake();
    }
  }

  private async convert(source: Frame): Promise<Frame> {
    if (this.failure !== undefined || this.scaler === undefined) return source;
    const out = this.converted.take();
    try {
      const ret = await this.scaler.scaleFrame(out, source);
      if (ret < 0) throw new VigilError('INTERNAL', `publisher: converting a frame failed (${ret})`);
      out.pts = source.pts;
      out.timeBase = this.frameTimeBase;
      return out;
    } catch (err) {
      this.converted.recycle(out);
      throw err;
    } finally {
      this.sources.recycle(source);
    }
  }

  private async encode(frame: Frame): Promise<void> {
    try {
      if (this.failure !== undefined) return;
      frame.duration = 1n;
      await this.encoder.encode(frame);
    } finally {
      // Without a converter the encoder was sent the source frame itself.
      (this.scaler === undefined ? this.sources : this.converted).recycle(frame);
    }
    await this.drain();
  }

  private async drain(): Promise<void> {
    for (let packet = await this.encoder.receive(); packet instanceof Packet; packet = await this.encoder.receive()) {
      try {
        this.bytes += packet.size;
        this.written += 1;
        await this.io('sending frames', () => this.muxer.writePacket(packet, this.streamIndex));
      } finally {
        packet.free();
      }
    }
  }

  private closeMuxer(): Promise<void> {
    // Once the relay is cut FFmpeg's socket is reset and every call on it fails at once, so the muxer
    // can still be closed (freeing it). RTSP's interrupted context is left as it is.
    if (this.relay !== undefined && this.deadline?.failure !== undefined) {
      return this.muxer.close().catch(() => undefined);
    }
    return this.io('closing the output', () => this.muxer.close());
  }

  private io<T>(during: string, call: () => Promise<T>): Promise<T> {
    return this.deadline === undefined ? call() : this.deadline.run(during, call);
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure =
      err instanceof VigilError
        ? err
        : new VigilError(
            'PUBLISH_FAILED',
            `publisher: writing to ${redact(this.config.address)} failed: ${messageOf(err)}`,
            {
              field: 'address',
              cause: err,
            },
          );
    this.onFailure(this.failure);
  }

  private release(): void {
    this.inFlight -= 1;
    // A failed output wakes everyone: their frames are lost either way.
    const wake = this.failure !== undefined ? this.roomWaiters.splice(0) : this.roomWaiters.splice(0, 1);
    for (const resolve of wake) resolve();
  }
}
