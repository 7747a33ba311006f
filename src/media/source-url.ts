/**
 * Which FFmpeg input and options a source URL needs. Pure: the engine opens
 * what this returns.
 */
import { VigilError } from '../errors.js';
import type { OpenSourceOptions } from './types.js';

export interface DemuxInput {
  kind: 'demux';
  /** What FFmpeg opens: a URL, or a local path for file:// */
  input: string;
  /** Live sources end only by failing; files end cleanly. */
  live: boolean;
  options: Record<string, string>;
}

export interface DemoInput {
  kind: 'demo';
  name: 'clock';
}

export type SourceInput = DemuxInput | DemoInput;

const US_PER_MS = 1000;

export function resolveSourceInput(url: string, options: OpenSourceOptions): SourceInput {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new VigilError('SOURCE_UNSUPPORTED', `source url: not a URL: ${JSON.stringify(url)}`, {
      field: 'url',
      cause,
    });
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  // FFmpeg's network timeouts are in µs; use the larger of the two so that
  // FFmpeg never gives up before our own timers do (they name the cause better).
  const ioTimeoutUs = String(Math.max(options.openTimeoutMs, options.readTimeoutMs) * US_PER_MS);
  switch (scheme) {
    case 'rtsp':
    case 'rtsps':
      return {
        kind: 'demux',
        input: url,
        live: true,
        options: { rtsp_transport: options.rtspTransport ?? 'tcp', timeout: ioTimeoutUs },
      };
    case 'rtmp':
    case 'rtmps':
    case 'http':
    case 'https':
      return { kind: 'demux', input: url, live: true, options: { rw_timeout: ioTimeoutUs } };
    case 'srt':
      // libsrt takes its timeouts as URL/option values in µs too.
      return { kind: 'demux', input: url, live: true, options: { rw_timeout: ioTimeoutUs } };
    case 'file':
      return { kind: 'demux', input: decodeURIComponent(parsed.pathname), live: false, options: {} };
    case 'demo':
      if (parsed.host === 'clock' || parsed.pathname.replace(/^\/+/, '') === 'clock')
        return { kind: 'demo', name: 'clock' };
      throw new VigilError(
        'SOURCE_UNSUPPORTED',
        `source url: unknown demo source ${JSON.stringify(url)}; use demo://clock`,
        {
          field: 'url',
        },
      );
    default:
      throw new VigilError(
        'SOURCE_UNSUPPORTED',
        `source url: scheme ${JSON.stringify(scheme)} is not supported; use rtsp, rtmp, http(s), srt, file or demo`,
        { field: 'url' },
      );
  }
}
