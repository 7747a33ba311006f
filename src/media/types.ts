/**
 * The media engine as the rest of Vigil sees it. node-av's types never cross
 * this boundary: packets arrive as plain data with timestamps in their
 * track's time base.
 */

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
}

export interface OpenSourceOptions {
  /** RTSP transport; TCP interleaved by default. */
  rtspTransport?: 'tcp' | 'udp';
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

export interface MediaEngine {
  openSource(url: string, options: OpenSourceOptions): Promise<MediaSource>;
  createAacTranscoder(track: SourceTrack): Promise<AudioTranscoder>;
}
