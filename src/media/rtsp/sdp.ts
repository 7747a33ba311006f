/**
 * The parts of an SDP description (RFC 8866) an RTSP client needs to set up
 * and depacketize each media: payload type, encoding, clock rate, channels,
 * fmtp parameters and the control URL. Pure.
 */
import { VigilError } from '../../errors.js';

export interface SdpMedia {
  kind: 'video' | 'audio' | 'other';
  payloadType: number;
  /** Encoding name upper-cased (`H264`, `H265`, `MPEG4-GENERIC`, `PCMU`, `PCMA`). */
  encoding: string;
  clockRate: number;
  channels: number;
  /** fmtp parameters, keys lower-cased. */
  fmtp: Map<string, string>;
  /** The media's a=control value, as written (relative, absolute or `*`), if any. */
  control: string | undefined;
  /** a=framerate, if given. */
  frameRate: number | undefined;
}

export interface SessionDescription {
  control: string | undefined;
  media: SdpMedia[];
}

/** Static payload types of RFC 3551 that RTSP cameras send without an rtpmap. */
const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, { encoding: string; clockRate: number; channels: number }> = new Map([
  [0, { encoding: 'PCMU', clockRate: 8000, channels: 1 }],
  [8, { encoding: 'PCMA', clockRate: 8000, channels: 1 }],
]);

export function parseSdp(text: string): SessionDescription {
  const session: SessionDescription = { control: undefined, media: [] };
  let current: (SdpMedia & { rtpmapSeen: boolean }) | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const type = line[0];
    const value = line.slice(2);
    if (type === 'm') {
      current = parseMediaLine(value);
      session.media.push(current);
      continue;
    }
    if (type !== 'a') continue;
    const colon = value.indexOf(':');
    const name = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
    const attr = colon < 0 ? '' : value.slice(colon + 1).trim();
    if (name === 'control') {
      if (current === undefined) session.control = attr;
      else current.control = attr;
    }
    if (current === undefined) continue;
    if (name === 'rtpmap') applyRtpmap(current, attr);
    else if (name === 'fmtp') applyFmtp(current, attr);
    else if (name === 'framerate') {
      const rate = Number(attr);
      if (Number.isFinite(rate) && rate > 0) current.frameRate = rate;
    }
  }
  if (session.media.length === 0) throw new VigilError('SOURCE_FAILED', 'rtsp: the SDP describes no media');
  return {
    control: session.control,
    media: session.media.map(({ kind, payloadType, encoding, clockRate, channels, fmtp, control, frameRate }) => ({
      kind,
      payloadType,
      encoding,
      clockRate,
      channels,
      fmtp,
      control,
      frameRate,
    })),
  };
}

function parseMediaLine(value: string): SdpMedia & { rtpmapSeen: boolean } {
  // m=<media> <port> <proto> <fmt> …: the first format is the one used.
  const [media = '', , , fmt = ''] = value.split(/\s+/);
  const payloadType = Number(fmt);
  const known = STATIC_PAYLOAD_TYPES.get(payloadType);
  return {
    kind: media === 'video' ? 'video' : media === 'audio' ? 'audio' : 'other',
    payloadType: Number.isInteger(payloadType) ? payloadType : -1,
    encoding: known?.encoding ?? '',
    clockRate: known?.clockRate ?? 0,
    channels: known?.channels ?? 1,
    fmtp: new Map(),
    control: undefined,
    frameRate: undefined,
    rtpmapSeen: false,
  };
}

function applyRtpmap(media: SdpMedia & { rtpmapSeen: boolean }, attr: string): void {
  // a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]
  const match = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(attr);
  if (match === null || Number(match[1]) !== media.payloadType || media.rtpmapSeen) return;
  media.rtpmapSeen = true;
  media.encoding = (match[2] ?? '').toUpperCase();
  media.clockRate = Number(match[3]);
  media.channels = match[4] === undefined ? 1 : Number(match[4]);
}

function applyFmtp(media: SdpMedia, attr: string): void {
  const space = attr.search(/\s/);
  if (space < 0 || Number(attr.slice(0, space)) !== media.payloadType) return;
  for (const part of attr.slice(space + 1).split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    // Values (base64 parameter sets) may contain '=' themselves: split at the first one only.
    media.fmtp.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
}

/**
 * The URL a media's SETUP goes to. Relative controls are appended to the base
 * with a '/' (what cameras mean, and what common clients do, rather than
 * RFC 3986 resolution, which would drop the base's last path segment).
 */
export function resolveControl(base: string, control: string | undefined): string {
  if (control === undefined || control === '' || control === '*') return base;
  if (/^rtsps?:\/\//i.test(control)) return control;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}
