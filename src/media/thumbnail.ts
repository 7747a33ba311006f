/**
 * Archived video samples → one JPEG. No demuxer: the archive already knows the
 * samples, so a decoder is opened straight from the track's codec and its
 * avcC/hvcC record, the samples go in as packets, the wanted frame is scaled
 * once by swscale (size and full-range conversion in one pass) and encoded by
 * FFmpeg's mjpeg encoder.
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
  AVERROR_EAGAIN,
  AVERROR_EOF,
  FF_DECODER_H264,
  FF_DECODER_HEVC,
  FF_ENCODER_MJPEG,
  FF_QP2LAMBDA,
  FF_THREAD_SLICE,
  SWS_BICUBIC,
  SWS_POINT,
  type AVPixelFormat,
} from 'node-av/constants';
import { Codec, CodecContext, FFmpegError, Frame, Packet, SoftwareScaleContext } from 'node-av/lib';
import { invalidArgument, VigilError } from '../errors.js';
import type { ThumbnailRequest } from './types.js';
import { canceledError, withTimeout } from './wait.js';

const TIMEOUT_MS = 10_000;
/** mjpeg's qscale (2 best … 31 worst); 3 keeps fine detail (text, plates) at a third of q2's bytes. */
export const DEFAULT_JPEG_QUALITY = 3;
const MIN_JPEG_QUALITY = 2;
const MAX_JPEG_QUALITY = 31;
const MIN_WIDTH = 16;
const MAX_WIDTH = 3840;

/** Limited-range YUV layouts and the full-range twin swscale understands, for frames flagged full range. */
const FULL_RANGE_TWIN = new Map<AVPixelFormat, AVPixelFormat>([
  [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P],
  [AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUVJ422P],
  [AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ444P],
]);

/**
 * Decodes `request.samples` (decode order, from a keyframe) and returns frame
 * `targetIndex` (presentation order) as a JPEG, `width` pixels wide when given.
 * Gives up with TIMEOUT after 10 s and with CANCELED when `signal` aborts.
 */
export async function decodeThumbnail(request: ThumbnailRequest, signal?: AbortSignal): Promise<Uint8Array> {
  checkRequest(request);
  if (signal?.aborted === true) throw canceledError();
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  // The native work frees its own objects when it ends: a timeout or abort only
  // stops it between calls, never frees what a call in flight still uses.
  const work = runThumbnail(request, stop.signal).finally(() => signal?.removeEventListener('abort', onAbort));
  return await withTimeout(work, TIMEOUT_MS, signal, () => {
    stop.abort();
    return new VigilError(
      'TIMEOUT',
      `thumbnail: decoding ${request.samples.length} samples took over ${TIMEOUT_MS} ms`,
    );
  });
}

function checkRequest(request: ThumbnailRequest): void {
  const { samples, targetIndex, width, quality } = request;
  if (samples.length === 0) throw invalidArgument('samples', 'no samples to decode');
  if (!Number.isInteger(targetIndex) || targetIndex < 0 || targetIndex >= samples.length) {
    throw invalidArgument('targetIndex', `expected 0 to ${samples.length - 1}, got ${targetIndex}`);
  }
  if (width !== undefined && (!Number.isInteger(width) || width < MIN_WIDTH || width > MAX_WIDTH || width % 2 !== 0)) {
    throw invalidArgument('width', `expected an even number of pixels from ${MIN_WIDTH} to ${MAX_WIDTH}, got ${width}`);
  }
  if (
    quality !== undefined &&
    (!Number.isInteger(quality) || quality < MIN_JPEG_QUALITY || quality > MAX_JPEG_QUALITY)
  ) {
    throw invalidArgument(
      'quality',
      `expected a JPEG qscale from ${MIN_JPEG_QUALITY} (best) to ${MAX_JPEG_QUALITY}, got ${quality}`,
    );
  }
}

async function runThumbnail(request: ThumbnailRequest, stop: AbortSignal): Promise<Uint8Array> {
  const frame = new Frame();
  frame.alloc();
  const natives: Array<{ free: () => void }> = [{ free: () => frame.free() }];
  try {
    const decoder = await openDecoder(request, natives);
    if (!(await decodeTarget(decoder, request, frame, stop))) {
      throw new VigilError('MEDIA_INVALID', `thumbnail: the ${request.track.codec} samples gave no picture to show`);
    }
    const picture = await toFullRangePicture(frame, request.width, natives);
    if (stop.aborted) throw canceledError();
    return await encodeJpeg(picture, request.quality ?? DEFAULT_JPEG_QUALITY, natives);
  } finally {
    for (const n of natives.reverse()) n.free();
  }
}

async function openDecoder(request: ThumbnailRequest, natives: Array<{ free: () => void }>): Promise<CodecContext> {
  const { track } = request;
  const codec = Codec.findDecoderByName(track.codec === 'avc1' ? FF_DECODER_H264 : FF_DECODER_HEVC);
  if (codec === null) throw new VigilError('NOT_IMPLEMENTED', `thumbnail: no decoder for ${track.codec}`);
  const ctx = new CodecContext();
  ctx.allocContext3(codec);
  natives.push({ free: () => ctx.freeContext() });
  ctx.extraData = Buffer.from(track.decoderConfig);
  // One keyframe gains nothing from frame threads, which only add start-up work.
  ctx.threadCount = request.samples.length > 1 ? 0 : 1;
  const ret = await ctx.open2(codec, null);
  if (ret < 0) {
    throw new VigilError(
      'MEDIA_INVALID',
      `thumbnail: cannot open the ${track.codec} decoder: ${FFmpegError.strerror(ret)}`,
    );
  }
  return ctx;
}

/** Feeds the samples and leaves frame `targetIndex` (presentation order) in `frame`; false if it never came. */
async function decodeTarget(
  decoder: CodecContext,
  request: ThumbnailRequest,
  frame: Frame,
  stop: AbortSignal,
): Promise<boolean> {
  const packet = new Packet();
  packet.alloc();
  let received = 0;
  const drain = async (): Promise<boolean> => {
    for (;;) {
      const ret = await decoder.receiveFrame(frame);
      if (ret === AVERROR_EAGAIN || ret === AVERROR_EOF) return false;
      if (ret < 0) throw decodeError(request, ret);
      if (received++ === request.targetIndex) return true;
    }
  };
  try {
    for (const [i, sample] of request.samples.entries()) {
      if (stop.aborted) throw canceledError();
      packet.data = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength);
      packet.pts = BigInt(i);
      packet.dts = BigInt(i);
      packet.isKeyframe = i === 0;
      for (;;) {
        const ret = await decoder.sendPacket(packet);
        if (ret !== AVERROR_EAGAIN) {
          if (ret < 0) throw decodeError(request, ret);
          break;
        }
        if (await drain()) return true;
      }
      if (await drain()) return true;
    }
    // End of input: the decoder hands out the frames it held back for reordering.
    await decoder.sendPacket(null);
    return await drain();
  } finally {
    packet.free();
  }
}

function decodeError(request: ThumbnailRequest, ret: number): VigilError {
  return new VigilError(
    'MEDIA_INVALID',
    `thumbnail: decoding ${request.track.codec} failed: ${FFmpegError.strerror(ret)}`,
  );
}

/** The frame as full-range 4:2:0 at the asked width (even height, same aspect); the frame itself when it already is. */
async function toFullRangePicture(
  frame: Frame,
  width: number | undefined,
  natives: Array<{ free: () => void }>,
): Promise<Frame> {
  const srcFormat = frame.format as AVPixelFormat;
  const format = frame.colorRange === AVCOL_RANGE_JPEG ? (FULL_RANGE_TWIN.get(srcFormat) ?? srcFormat) : srcFormat;
  const outWidth = width ?? frame.width;
  const outHeight =
    width === undefined ? frame.height : Math.max(2, 2 * Math.round((frame.height * width) / frame.width / 2));
  if (format === AV_PIX_FMT_YUVJ420P && outWidth === frame.width && outHeight === frame.height) return frame;

  const sws = new SoftwareScaleContext();
  sws.allocContext();
  natives.push({ free: () => sws.freeContext() });
  // At the same size only the range changes: no interpolation to pay for.
  const sameSize = outWidth === frame.width && outHeight === frame.height;
  const flags = sameSize ? SWS_POINT : SWS_BICUBIC;
  sws.getContext(frame.width, frame.height, format, outWidth, outHeight, AV_PIX_FMT_YUVJ420P, flags);
  FFmpegError.throwIfError(sws.initContext(), 'sws_init_context');
  const out = new Frame();
  out.alloc();
  natives.push({ free: () => out.free() });
  out.width = outWidth;
  out.height = outHeight;
  out.format = AV_PIX_FMT_YUVJ420P;
  out.colorRange = AVCOL_RANGE_JPEG;
  FFmpegError.throwIfError(out.allocBuffer(), 'av_frame_get_buffer');
  const src = frame.data;
  const dst = out.data;
  if (src === null || dst === null) throw new VigilError('INTERNAL', 'thumbnail: a frame has no picture planes');
  const lines = await sws.scale(src, frame.linesize, 0, frame.height, dst, out.linesize);
  FFmpegError.throwIfError(lines, 'sws_scale');
  return out;
}

async function encodeJpeg(picture: Frame, quality: number, natives: Array<{ free: () => void }>): Promise<Uint8Array> {
  const codec = Codec.findEncoderByName(FF_ENCODER_MJPEG);
  if (codec === null) throw new VigilError('NOT_IMPLEMENTED', 'thumbnail: FFmpeg has no mjpeg encoder');
  const ctx = new CodecContext();
  ctx.allocContext3(codec);
  natives.push({ free: () => ctx.freeContext() });
  ctx.width = picture.width;
  ctx.height = picture.height;
  ctx.pixelFormat = AV_PIX_FMT_YUVJ420P;
  ctx.colorRange = AVCOL_RANGE_JPEG;
  ctx.timeBase = { num: 1, den: 1 } as CodecContext['timeBase'];
  // Slices of one picture spread over cores; frame threads would only add start-up work for one frame.
  ctx.threadType = FF_THREAD_SLICE;
  ctx.threadCount = 0;
  // Fixed quantiser (what `-q:v` sets): the size follows the picture, not a bitrate guess.
  ctx.setFlags(AV_CODEC_FLAG_QSCALE);
  ctx.globalQuality = quality * FF_QP2LAMBDA;
  FFmpegError.throwIfError(await ctx.open2(codec, null), 'avcodec_open2(mjpeg)');

  picture.pts = 0n;
  picture.quality = quality * FF_QP2LAMBDA;
  FFmpegError.throwIfError(await ctx.sendFrame(picture), 'avcodec_send_frame(mjpeg)');
  FFmpegError.throwIfError(await ctx.sendFrame(null), 'avcodec_send_frame(mjpeg flush)');
  const packet = new Packet();
  packet.alloc();
  try {
    FFmpegError.throwIfError(await ctx.receivePacket(packet), 'avcodec_receive_packet(mjpeg)');
    const data = packet.data;
    if (data === null || data.length === 0)
      throw new VigilError('INTERNAL', 'thumbnail: the JPEG encoder gave no bytes');
    return new Uint8Array(data);
  } finally {
    packet.free();
  }
}
