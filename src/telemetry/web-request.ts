/**
 * A media response as the HTTP layer reports it, turned into the
 * `web_request` event. The byte counters come from what the response handed
 * to the client's connection, so their sum is `bytes_sent` even when the
 * client left halfway.
 */
import type { ServedBytes } from '../export/types.js';
import { usToMs, type WebRequestEvent, type WebRequestKind } from './events.js';

export type ServedKind = 'archive' | 'hls-playlist' | 'hls-segment' | 'live-playlist' | 'thumbnail' | 'export-file';

export interface ServedUsage {
  stream: string;
  kind: ServedKind;
  /** The archive instant asked (UTC µs); null for live. */
  dvrUtcUs: number | null;
  status: number;
  /** Bytes handed to the client's connection, by origin (their sum is what was sent). */
  served: ServedBytes;
  clientIp: string;
  durationMs: number;
}

const REQUEST_KINDS: Record<ServedKind, WebRequestKind> = {
  archive: 'archive_download',
  'hls-playlist': 'hls_playlist',
  'hls-segment': 'hls_segment',
  'live-playlist': 'live_playlist',
  thumbnail: 'thumbnail',
  'export-file': 'export_file',
};

export function webRequestEvent(usage: ServedUsage, nowMs: number = Date.now()): WebRequestEvent {
  const { fromRam, fromDisk, fromRemote } = usage.served;
  return {
    event: 'web_request',
    utc_ms: nowMs,
    stream: usage.stream,
    request: REQUEST_KINDS[usage.kind],
    client_ip: usage.clientIp,
    status: usage.status,
    duration_ms: Math.round(usage.durationMs * 1000) / 1000,
    dvr_utc_ms: usage.dvrUtcUs === null ? null : usToMs(usage.dvrUtcUs),
    bytes_sent: fromRam + fromDisk + fromRemote,
    bytes_from_ram: fromRam,
    bytes_from_dvr_cache: 0,
    bytes_from_dvr_disk: fromDisk,
    bytes_from_dvr_remote: fromRemote,
  };
}
