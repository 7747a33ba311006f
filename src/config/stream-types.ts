/**
 * A stream (a channel) as users define it, through the API or the config
 * file. The wire format is snake_case, like the reference DVR API; this is the
 * validated, defaulted form every part reads.
 */

export type Flip = 'none' | 'horizontal' | 'vertical' | 'both';
export type Rotate = 0 | 90 | 180 | 270;
/** What to do with audio a browser cannot play (G.711 µ-law/A-law). AAC is always kept. */
export type AudioHandling = 'transcode' | 'keep' | 'drop';
export type RtspTransport = 'tcp' | 'udp';
/** A channel records its main stream and, optionally, a substream beside it. */
export type Variant = 'main' | 'sub';

export interface DvrSettings {
  /** Archive root for this stream; absent means the global dvr root. */
  root: string | undefined;
  /** Keep at most this many seconds of archive; absent means no age limit. */
  expirationSeconds: number | undefined;
  /** Disk quota for this stream's archive, in bytes; absent means no quota. */
  diskLimitBytes: number | undefined;
}

export interface StreamDefinition {
  /** `[A-Za-z0-9_-]{1,64}` */
  name: string;
  /**
   * rtsp://, rtmp://, http(s)://, srt://, file://, demo:// (built-in synthetic
   * picture), or publish:// (Vigil waits for a publisher on its RTMP ingest).
   */
  url: string;
  substreamUrl: string | undefined;
  /** The channel name people see (UI, watermarks); defaults to the name. */
  title: string;
  flip: Flip;
  rotate: Rotate;
  audio: AudioHandling;
  rtspTransport: RtspTransport;
  /** Whether the stream is being recorded (a stream can be kept but paused). */
  enabled: boolean;
  dvr: DvrSettings;
  /** publish:// streams only: the secret a publisher sends as `?key=`. Never returned by the API or logged. */
  publishKey?: string;
}

export const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SOURCE_SCHEMES = [
  'rtsp',
  'rtsps',
  'rtmp',
  'rtmps',
  'http',
  'https',
  'srt',
  'file',
  'demo',
  'publish',
] as const;
export type SourceScheme = (typeof SOURCE_SCHEMES)[number];

/** The source URL of a stream that publishers push to (see record/ingest/). */
export const PUBLISH_SOURCE_URL = 'publish://';

/** Whether a stream's source is pushed to Vigil (see record/ingest/) rather than pulled. */
export function isPublishSource(url: string): boolean {
  return url.toLowerCase() === PUBLISH_SOURCE_URL;
}
/** What a publish key may hold: URL-safe characters, so it travels in `?key=` unencoded. */
export const PUBLISH_KEY_PATTERN = /^[A-Za-z0-9._~-]{8,256}$/;
