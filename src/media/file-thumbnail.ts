/**
 * The first shown frame of a media file as a JPEG: an export's own output,
 * whatever its container and codec (a transcode's picture is not the
 * archive's). The file is demuxed and decoded only until the decoder hands
 * out a frame (in presentation order), then written by the same JpegWriter
 * as archive thumbnails, opened for this one picture.
 */
import './polyfills.js';
import { Decoder, Demuxer } from 'node-av/api';
import { Frame } from 'node-av/lib';
import { invalidArgument, VigilError } from '../errors.js';
import { DEFAULT_JPEG_QUALITY } from './thumbnail.js';
import { JpegWriter, jpegShapeOf } from './jpeg-writer.js';
import { canceledError, withTimeout } from './wait.js';

const TIMEOUT_MS = 10_000;
/** A first frame comes within the first GOP or two; past this many packets the file has no picture to give. */
const MAX_VIDEO_PACKETS = 600;
const MIN_WIDTH = 16;
const MAX_WIDTH = 3840;

export interface FileThumbnailOptions {
  /** Output width in pixels (even, 16–3840); the height keeps the aspect. Default: the frame's size. */
  width?: number;
  signal?: AbortSignal;
}

/** JPEG bytes of the first frame `path` shows; NOT_FOUND when the file has no video, TIMEOUT after 10 s. */
export async function decodeFileThumbnail(path: string, options: FileThumbnailOptions = {}): Promise<Uint8Array> {
  const { width, signal } = options;
  if (width !== undefined && (!Number.isInteger(width) || width < MIN_WIDTH || width > MAX_WIDTH || width % 2 !== 0)) {
    throw invalidArgument('width', `expected an even number of pixels from ${MIN_WIDTH} to ${MAX_WIDTH}, got ${width}`);
  }
  if (signal?.aborted === true) throw canceledError();
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const work = firstFrameJpeg(path, width, stop.signal).finally(() => signal?.removeEventListener('abort', onAbort));
  return await withTimeout(work, TIMEOUT_MS, signal, () => {
    stop.abort();
    return new VigilError('TIMEOUT', `thumbnail: the first frame of the file took over ${TIMEOUT_MS} ms`);
  });
}

async function firstFrameJpeg(path: string, width: number | undefined, stop: AbortSignal): Promise<Uint8Array> {
  const demuxer = await Demuxer.open(path);
  try {
    const video = demuxer.video();
    if (video === undefined) throw new VigilError('NOT_FOUND', 'thumbnail: the file has no video');
    const decoder = await Decoder.create(video);
    try {
      const frame = await firstFrame(demuxer, decoder, video.index, stop);
      if (frame === undefined)
        throw new VigilError('MEDIA_INVALID', 'thumbnail: no frame of the file could be decoded');
      try {
        const writer = await JpegWriter.open(jpegShapeOf(frame, width, DEFAULT_JPEG_QUALITY));
        try {
          return await writer.write(frame);
        } finally {
          writer.close();
        }
      } finally {
        frame.free();
      }
    } finally {
      decoder.close();
    }
  } finally {
    await demuxer.close();
  }
}

async function firstFrame(
  demuxer: Demuxer,
  decoder: Decoder,
  videoIndex: number,
  stop: AbortSignal,
): Promise<Frame | undefined> {
  let sent = 0;
  for await (const packet of demuxer.packets(videoIndex)) {
    if (stop.aborted) throw canceledError();
    try {
      await decoder.decode(packet ?? null);
    } finally {
      packet?.free();
    }
    const frame = await decoder.receive();
    if (frame instanceof Frame) return frame;
    if (packet === null || ++sent >= MAX_VIDEO_PACKETS) break;
  }
  // End of input: the decoder hands out the frames it held back for reordering.
  await decoder.flush();
  const last = await decoder.receive();
  return last instanceof Frame ? last : undefined;
}
