/** The node-av implementation of MediaEngine. */
import './polyfills.js';
import { AV_LOG_ERROR } from 'node-av/constants';
import { Log } from 'node-av/lib';
import { createAacTranscoder } from './aac-transcoder.js';
import { openDemoClockSource } from './demo-clock-source.js';
import { openDemuxSource } from './demux-source.js';
import { NativeRtspUnsupported, openNativeRtspSource, wantsNativeRtsp } from './rtsp/index.js';
import { resolveSourceInput } from './source-url.js';
import { createThumbnailer } from './thumbnail.js';
import type { MediaEngine, MediaSource, OpenSourceOptions } from './types.js';
import { canceledError } from './wait.js';

export interface MediaEngineOptions {
  /** Where the engine says why it chose another way than asked (a native RTSP fallback); console.warn by default. */
  warn?: (message: string) => void;
}

export function createMediaEngine(engineOptions: MediaEngineOptions = {}): MediaEngine {
  const warn = engineOptions.warn ?? ((message: string) => console.warn(message));
  // FFmpeg's info chatter (x264 stats, RTSP EOF notes) would flood the server log.
  Log.setLevel(AV_LOG_ERROR);
  const thumbnails = createThumbnailer();
  return {
    async openSource(url: string, options: OpenSourceOptions): Promise<MediaSource> {
      if (options.signal?.aborted === true) throw canceledError();
      const input = resolveSourceInput(url, options);
      if (input.kind === 'demo') return openDemoClockSource(url, options);
      if (wantsNativeRtsp(url, options)) {
        try {
          return await openNativeRtspSource(url, options);
        } catch (err) {
          if (!(err instanceof NativeRtspUnsupported)) throw err;
          warn(`${err.message}; reading it with FFmpeg instead`);
        }
      }
      return openDemuxSource(url, input, options);
    },
    createAacTranscoder,
    decodeThumbnail: (request, signal) => thumbnails.decode(request, signal),
    close(): Promise<void> {
      thumbnails.close();
      return Promise.resolve();
    },
  };
}
