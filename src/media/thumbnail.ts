/**
 * Archived video samples → one JPEG. No demuxer: the archive already knows the
 * samples, so a decoder is opened straight from the track's codec and its
 * avcC/hvcC record, the samples go in as packets, the wanted frame is scaled
 * once by swscale (size and full-range conversion in one pass) and encoded by
 * FFmpeg's mjpeg encoder.
 *
 * Opening all that (and starting the encoder's threads) on every call cost
 * about a quarter of a 1080p thumbnail's CPU time, so decoders are kept open
 * by codec configuration and scaler + encoder by picture shape (warm-pool.ts);
 * `close()` frees what is kept.
 */
import './polyfills.js';
import { Frame } from 'node-av/lib';
import { invalidArgument, VigilError } from '../errors.js';
import { JpegWriter, jpegShapeKey, jpegShapeOf } from './jpeg-writer.js';
import { decoderKey, ThumbnailDecoder, type DecoderSetup } from './thumbnail-decoder.js';
import type { ThumbnailRequest } from './types.js';
import { canceledError, withTimeout } from './wait.js';
import { WarmPool } from './warm-pool.js';

const TIMEOUT_MS = 10_000;
/**
 * mjpeg's qscale (2 best … 31 worst). On 1080p camera footage 4 measures about
 * 40.6 dB PSNR against the decoded frame (3: 42.1, Debian ffmpeg's default
 * JPEG: 40.3) at 0.73× q3's bytes and less encoding time.
 */
export const DEFAULT_JPEG_QUALITY = 4;
const MIN_JPEG_QUALITY = 2;
const MAX_JPEG_QUALITY = 31;
const MIN_WIDTH = 16;
const MAX_WIDTH = 3840;
/**
 * Deblocking is skipped when a lone keyframe is shrunk at least this much: at
 * half size its effect measures about 49 dB PSNR (invisible), and with a lone
 * keyframe no later frame inherits the difference.
 */
const SKIP_LOOP_FILTER_SHRINK = 2;
/** A timeline hover asks every few hundred ms; a minute of quiet means the viewer left. */
const IDLE_MS = 60_000;

export interface Thumbnailer {
  /**
   * Decodes `request.samples` (decode order, from a keyframe) and returns frame
   * `targetIndex` (presentation order) as a JPEG, `width` pixels wide when given.
   * Gives up with TIMEOUT after 10 s and with CANCELED when `signal` aborts.
   */
  decode(request: ThumbnailRequest, signal?: AbortSignal): Promise<Uint8Array>;
  /** Frees the decoders and encoders kept open; later calls still work, keeping nothing open. */
  close(): void;
}

export function createThumbnailer(): Thumbnailer {
  // A 1080p decoder or encoder holds several MiB of pictures: a few per kind cover a handful of viewers.
  const decoders = new WarmPool<ThumbnailDecoder>({ idleMs: IDLE_MS, maxIdlePerKey: 2, maxIdle: 4 });
  const writers = new WarmPool<JpegWriter>({ idleMs: IDLE_MS, maxIdlePerKey: 2, maxIdle: 4 });

  async function run(request: ThumbnailRequest, stop: AbortSignal): Promise<Uint8Array> {
    const setup = decoderSetupFor(request);
    const frame = new Frame();
    frame.alloc();
    try {
      const found = await decoders.use(
        decoderKey(setup),
        () => ThumbnailDecoder.open(setup),
        (decoder) => decoder.decode(request.samples, request.targetIndex, frame, stop),
      );
      if (!found) {
        throw new VigilError('MEDIA_INVALID', `thumbnail: the ${request.track.codec} samples gave no picture to show`);
      }
      if (stop.aborted) throw canceledError();
      const shape = jpegShapeOf(frame, request.width, request.quality ?? DEFAULT_JPEG_QUALITY);
      return await writers.use(
        jpegShapeKey(shape),
        () => JpegWriter.open(shape),
        (writer) => writer.write(frame),
      );
    } finally {
      // The frame holds a reference to a decoder's buffer, which outlives the decoder if it was closed meanwhile.
      frame.free();
    }
  }

  return {
    async decode(request: ThumbnailRequest, signal?: AbortSignal): Promise<Uint8Array> {
      checkRequest(request);
      if (signal?.aborted === true) throw canceledError();
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      // A timeout or abort only stops the native work between calls: the work
      // still ends on its own and gives back (or closes) what it holds.
      const work = run(request, stop.signal).finally(() => signal?.removeEventListener('abort', onAbort));
      return await withTimeout(work, TIMEOUT_MS, signal, () => {
        stop.abort();
        return new VigilError(
          'TIMEOUT',
          `thumbnail: decoding ${request.samples.length} samples took over ${TIMEOUT_MS} ms`,
        );
      });
    },
    close(): void {
      decoders.close();
      writers.close();
    },
  };
}

function decoderSetupFor(request: ThumbnailRequest): DecoderSetup {
  const { track, samples, width } = request;
  const lone = samples.length === 1;
  return {
    codec: track.codec,
    decoderConfig: track.decoderConfig,
    frameThreads: !lone,
    skipLoopFilter: lone && width !== undefined && width * SKIP_LOOP_FILTER_SHRINK <= track.width,
  };
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
