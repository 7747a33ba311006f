/**
 * A decoded frame → JPEG bytes: swscale brings it to full-range 4:2:0 at the
 * asked size in one pass, FFmpeg's mjpeg encoder writes it. Scaler, output
 * picture and encoder are opened once per shape and kept for the next
 * thumbnail of the same shape.
 */
import './polyfills.js';
import {
  AV_CODEC_FLAG_QSCALE,
  AV_PIX_FMT_YUV420P,
  AV_PIX_FMT_YUV422P,
  AV_PIX_FMT_YUV444P,
  AV_PIX_FMT_YUVJ420P,
  AV_PIX_FMT_YUVJ422P,
  AV_PIX_FMT_YUVJ444P,
  AVCOL_RANGE_JPEG,
  FF_ENCODER_MJPEG,
  FF_QP2LAMBDA,
  FF_THREAD_SLICE,
  SWS_BICUBIC,
  SWS_POINT,
  type AVPixelFormat,
} from 'node-av/constants';
import { Codec, CodecContext, FFmpegError, Frame, Packet, SoftwareScaleContext } from 'node-av/lib';
import { VigilError } from '../errors.js';
import type { PooledItem } from './warm-pool.js';

/** swscale's `threads` value for one thread per core. */
const SWS_AUTO_THREADS = 0;

/** Limited-range YUV layouts and the full-range twin swscale understands, for frames flagged full range. */
const FULL_RANGE_TWIN = new Map<AVPixelFormat, AVPixelFormat>([
  [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P],
  [AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUVJ422P],
  [AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ444P],
]);

/** Everything a writer is opened for; writers of equal shapes are interchangeable. */
export interface JpegShape {
  srcWidth: number;
  srcHeight: number;
  /** The decoded layout as swscale should read it (its full-range twin when the frame is flagged full range). */
  srcFormat: AVPixelFormat;
  width: number;
  height: number;
  /** mjpeg qscale, 2 (best) … 31. */
  quality: number;
}

/** The shape that turns `frame` into a JPEG `width` pixels wide (even height, same aspect), or its own size. */
export function jpegShapeOf(frame: Frame, width: number | undefined, quality: number): JpegShape {
  const decoded = frame.format as AVPixelFormat;
  const srcFormat = frame.colorRange === AVCOL_RANGE_JPEG ? (FULL_RANGE_TWIN.get(decoded) ?? decoded) : decoded;
  const height =
    width === undefined ? frame.height : Math.max(2, 2 * Math.round((frame.height * width) / frame.width / 2));
  return { srcWidth: frame.width, srcHeight: frame.height, srcFormat, width: width ?? frame.width, height, quality };
}

export function jpegShapeKey(s: JpegShape): string {
  return `${s.srcWidth}x${s.srcHeight}/${s.srcFormat}>${s.width}x${s.height}/q${s.quality}`;
}

/** The scaler and the picture it writes to; absent when the decoded frame already is full-range 4:2:0 at the size. */
interface Scaler {
  sws: SoftwareScaleContext;
  picture: Frame;
}

export class JpegWriter implements PooledItem {
  /** mpegvideo refuses a pts that does not grow, and this encoder outlives one picture. */
  private nextPts = 0n;

  private constructor(
    private readonly shape: JpegShape,
    private readonly scaler: Scaler | undefined,
    private readonly encoder: CodecContext,
    private readonly packet: Packet,
  ) {}

  static async open(shape: JpegShape): Promise<JpegWriter> {
    const natives: Array<() => void> = [];
    try {
      const scaler = needsScaling(shape) ? openScaler(shape, natives) : undefined;
      const encoder = await openEncoder(shape, natives);
      const packet = new Packet();
      packet.alloc();
      return new JpegWriter(shape, scaler, encoder, packet);
    } catch (err) {
      for (const free of natives.reverse()) free();
      throw err;
    }
  }

  /** JPEG bytes of `frame`, which must have this writer's source shape. */
  async write(frame: Frame): Promise<Uint8Array> {
    const { shape, scaler, encoder, packet } = this;
    if (frame.width !== shape.srcWidth || frame.height !== shape.srcHeight) {
      throw new VigilError(
        'INTERNAL',
        `thumbnail: a ${frame.width}x${frame.height} frame reached a writer for ${shape.srcWidth}x${shape.srcHeight}`,
      );
    }
    let picture = frame;
    if (scaler !== undefined) {
      // Frame to frame: no JS views of the planes are made, so a 3 MB picture
      // does not count as fresh external memory (and a GC) on every call.
      FFmpegError.throwIfError(await scaler.sws.scaleFrame(scaler.picture, frame), 'sws_scale_frame');
      picture = scaler.picture;
    }
    picture.pts = this.nextPts++;
    picture.quality = shape.quality * FF_QP2LAMBDA;
    FFmpegError.throwIfError(await encoder.sendFrame(picture), 'avcodec_send_frame(mjpeg)');
    // mjpeg holds no frames back: the picture's packet is ready at once, and no flush ends the encoder's life.
    FFmpegError.throwIfError(await encoder.receivePacket(packet), 'avcodec_receive_packet(mjpeg)');
    try {
      const data = packet.data;
      if (data === null || data.length === 0)
        throw new VigilError('INTERNAL', 'thumbnail: the JPEG encoder gave no bytes');
      return new Uint8Array(data);
    } finally {
      packet.unref();
    }
  }

  recycle(): boolean {
    return true;
  }

  close(): void {
    this.packet.free();
    this.encoder.freeContext();
    if (this.scaler !== undefined) {
      this.scaler.sws.freeContext();
      this.scaler.picture.free();
    }
  }
}

function needsScaling(s: JpegShape): boolean {
  return s.srcFormat !== AV_PIX_FMT_YUVJ420P || s.width !== s.srcWidth || s.height !== s.srcHeight;
}

function openScaler(s: JpegShape, natives: Array<() => void>): Scaler {
  const sws = new SoftwareScaleContext();
  sws.allocContext();
  natives.push(() => sws.freeContext());
  // At the same size only the range changes: no interpolation to pay for.
  const sameSize = s.width === s.srcWidth && s.height === s.srcHeight;
  // Set as options, not through sws_getContext: only so does `threads` reach
  // the context, and sws_scale_frame then converts slices of the picture at once.
  const options: Array<[string, number]> = [
    ['srcw', s.srcWidth],
    ['srch', s.srcHeight],
    ['src_format', s.srcFormat],
    ['dstw', s.width],
    ['dsth', s.height],
    ['dst_format', AV_PIX_FMT_YUVJ420P],
    ['sws_flags', sameSize ? SWS_POINT : SWS_BICUBIC],
    ['threads', SWS_AUTO_THREADS],
  ];
  for (const [name, value] of options) FFmpegError.throwIfError(sws.setOption(name, value), `swscale option ${name}`);
  FFmpegError.throwIfError(sws.initContext(), 'sws_init_context');
  const picture = new Frame();
  picture.alloc();
  natives.push(() => picture.free());
  picture.width = s.width;
  picture.height = s.height;
  picture.format = AV_PIX_FMT_YUVJ420P;
  picture.colorRange = AVCOL_RANGE_JPEG;
  FFmpegError.throwIfError(picture.allocBuffer(), 'av_frame_get_buffer');
  return { sws, picture };
}

async function openEncoder(s: JpegShape, natives: Array<() => void>): Promise<CodecContext> {
  const codec = Codec.findEncoderByName(FF_ENCODER_MJPEG);
  if (codec === null) throw new VigilError('NOT_IMPLEMENTED', 'thumbnail: FFmpeg has no mjpeg encoder');
  const ctx = new CodecContext();
  ctx.allocContext3(codec);
  natives.push(() => ctx.freeContext());
  ctx.width = s.width;
  ctx.height = s.height;
  ctx.pixelFormat = AV_PIX_FMT_YUVJ420P;
  ctx.colorRange = AVCOL_RANGE_JPEG;
  ctx.timeBase = { num: 1, den: 1 } as CodecContext['timeBase'];
  // Slices of one picture spread over cores; the threads are started once, when the writer opens.
  ctx.threadType = FF_THREAD_SLICE;
  ctx.threadCount = 0;
  // Fixed quantiser (what `-q:v` sets): the size follows the picture, not a bitrate guess.
  ctx.setFlags(AV_CODEC_FLAG_QSCALE);
  ctx.globalQuality = s.quality * FF_QP2LAMBDA;
  FFmpegError.throwIfError(await ctx.open2(codec, null), 'avcodec_open2(mjpeg)');
  return ctx;
}
