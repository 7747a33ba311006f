/**
 * The media engine as the rest of Vigil sees it. node-av's types never cross
 * this boundary: packets arrive as plain data with timestamps in their
 * track's time base.
 */
import type { VideoTrackConfig } from '../mp4/types.js';

export interface Rational {
  num: number;
  den: number;
}

export type SourceCodec = 'h264' | 'hevc' | 'aac' | 'pcm_mulaw' | 'pcm_alaw' | (string & {});

export interface SourceTrack {
  /** Index of the track in the source; packets name it. */
  index: number;
  kind: 'video' | 'audio';
  codec: SourceCodec;
  timeBase: Rational;
  /** Video only. */
  width?: number;
  height?: number;
  /** Audio only. */
  sampleRate?: number;
  channelCount?: number;
  /**
   * Codec extradata as the demuxer gives it: for H.264/H.265 either an
   * avcC/hvcC record or Annex B parameter sets; for AAC the AudioSpecificConfig.
   */
  extradata: Uint8Array | undefined;
}

export interface SourcePacket {
  trackIndex: number;
  /** Timestamps in the track's time base; pts may be absent for some sources. */
  pts: number | undefined;
  dts: number | undefined;
  duration: number;
  isKeyframe: boolean;
  /** Payload as the demuxer gives it (H.264/H.265 may be Annex B or length-prefixed). */
  data: Uint8Array;
  /** New extradata carried with the packet (parameter sets changed in-band), if any. */
  newExtradata?: Uint8Array;
  /**
   * Where the source reuses payload memory (the native RTSP client): hands
   * `data` back once nothing will read it, or a view of it, again; never
   * before. Optional for the consumer: a payload never released is left to
   * the garbage collector (src/media/slab-allocator.ts).
   */
  release?: () => void;
}

export interface OpenSourceOptions {
  /** RTSP transport; TCP interleaved by default. */
  rtspTransport?: 'tcp' | 'udp';
  /**
   * Which RTSP client reads rtsp:// over TCP: `native` (Vigil's own,
   * src/media/rtsp/, the default) or `ffmpeg` (node-av). Env
   * VIGIL_RTSP_CLIENT=ffmpeg selects FFmpeg where this is not set.
   */
  rtspClient?: 'native' | 'ffmpeg';
  /** Give up opening after this long. */
  openTimeoutMs: number;
  /** A read with no data for this long fails with a TIMEOUT error. */
  readTimeoutMs: number;
  /** For file:// sources: pace packets at real time (true) or read as fast as possible (false). */
  realtime?: boolean;
  signal?: AbortSignal;
}

export interface MediaSource {
  readonly url: string;
  readonly tracks: SourceTrack[];
  /** Packets in demux order. Ends at end of stream; throws on error or abort. */
  packets(): AsyncIterable<SourcePacket>;
  close(): Promise<void>;
}

/** Turns one audio track into AAC (for G.711 sources). */
export interface AudioTranscoder {
  readonly outputTrack: SourceTrack;
  transcode(packet: SourcePacket): Promise<SourcePacket[]>;
  flush(): Promise<SourcePacket[]>;
  close(): void;
}

/** Archived video samples to turn into one JPEG. */
export interface ThumbnailRequest {
  track: VideoTrackConfig;
  /** Payloads in decode order from a keyframe, length-prefixed NAL units as the archive stores them. */
  samples: Uint8Array[];
  /** Which decoded frame, counted in presentation order, becomes the JPEG. */
  targetIndex: number;
  /** Output width in pixels (even, 16–3840); the height keeps the aspect and is even. Default: the frame's size. */
  width?: number;
  /** JPEG qscale, 2 (best) to 31; default 4. */
  quality?: number;
}

export interface MediaEngine {
  openSource(url: string, options: OpenSourceOptions): Promise<MediaSource>;
  createAacTranscoder(track: SourceTrack): Promise<AudioTranscoder>;
  /** JPEG bytes of one archived frame; TIMEOUT after 10 s, CANCELED when `signal` aborts. */
  decodeThumbnail(request: ThumbnailRequest, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * Frees the codecs kept open between thumbnails. Calls after it (a request
   * still in flight at shutdown) work, but keep nothing open.
   */
  close(): Promise<void>;
}
