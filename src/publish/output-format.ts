/**
 * Where a publisher's address sends frames, and the FFmpeg muxer settings for
 * it. Pure: the address alone decides the format, as FFmpeg guesses it from a
 * file name, except that a network scheme always wins over an extension.
 */
import { invalidArgument } from '../errors.js';

/** `vigil`: RTMP into a Vigil's ingest, the URL resolved at open (see vigil-address.ts). */
export type OutputKind = 'file' | 'rtmp' | 'rtsp' | 'hls' | 'vigil';

export interface OutputTarget {
  kind: OutputKind;
  /** FFmpeg's muxer name, reported as the read-only `formatName`. */
  formatName: 'mp4' | 'matroska' | 'mpegts' | 'flv' | 'rtsp' | 'hls';
}

export interface HlsSettings {
  hlsTime: number;
  hlsListSize: number;
  hlsPlaylist: 'live' | 'event';
  hlsSegmentType: 'fmp4' | 'mpegts';
}

export interface MuxerSetup {
  format: OutputTarget['formatName'];
  options: Record<string, string>;
}

const FILE_FORMATS: Record<string, OutputTarget['formatName']> = {
  '.mp4': 'mp4',
  '.mkv': 'matroska',
  '.ts': 'mpegts',
};

const ADDRESS_HINT =
  'use rtmp://host/app/stream, rtsp://host/path, vigil://stream, or a path ending in .m3u8, .mp4, .mkv or .ts';

/** The output an address names; throws a VigilError naming `address` when it names none Vigil can publish to. */
export function guessOutput(address: string): OutputTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'rtmp' || scheme === 'rtmps') return { kind: 'rtmp', formatName: 'flv' };
  if (scheme === 'rtsp') return { kind: 'rtsp', formatName: 'rtsp' };
  if (scheme === 'vigil') return { kind: 'vigil', formatName: 'flv' };
  if (scheme !== undefined && scheme !== 'file') {
    throw invalidArgument('address', `scheme "${scheme}" cannot be published to; ${ADDRESS_HINT}`);
  }
  const path = scheme === 'file' ? address.slice('file://'.length) : address;
  const extension = /\.[^./\\]+$/.exec(path)?.[0]?.toLowerCase() ?? '';
  if (extension === '.m3u8') return { kind: 'hls', formatName: 'hls' };
  const format = FILE_FORMATS[extension];
  if (format === undefined) {
    throw invalidArgument('address', `${JSON.stringify(address)} has no known extension; ${ADDRESS_HINT}`);
  }
  return { kind: 'file', formatName: format };
}

/** The path FFmpeg opens: `file://` is dropped so relative paths and the HLS muxer's segment names work. */
export function muxerTarget(address: string): string {
  return address.toLowerCase().startsWith('file://') ? address.slice('file://'.length) : address;
}

/**
 * Muxer name, URL and options for a target; `url` is the resolved address
 * (the .m3u8 path for HLS, the rtmp:// URL for vigil://).
 *
 * RTMP is FLV opened directly. node-av opens its connection with avio_open2
 * and no interrupt callback, so the publisher's I/O deadline aborts a frozen
 * rtmp:// server by cutting the local relay FFmpeg connects through
 * (rtmp-relay.ts; `url` is then the relay's URL); RTSP's connection has the
 * callback. rtmps:// is opened directly and is not covered yet. (FFmpeg's tee
 * muxer also gives FLV the callback; it was dropped after one SIGSEGV in CI
 * that was most likely the frame lifetime bug owned-frame.ts fixes.)
 */
export function muxerSetup(target: OutputTarget, hls: HlsSettings, url: string): MuxerSetup {
  switch (target.kind) {
    case 'rtmp':
    case 'vigil':
      // A network output cannot seek back to patch the header's duration and size.
      return { format: 'flv', options: { flvflags: 'no_duration_filesize' } };
    case 'rtsp':
      return { format: 'rtsp', options: { rtsp_transport: 'tcp' } };
    case 'hls':
      return { format: 'hls', options: hlsOptions(hls, url) };
    case 'file':
      return { format: target.formatName, options: {} };
  }
}

function hlsOptions(hls: HlsSettings, playlistPath: string): Record<string, string> {
  const base = playlistPath.replace(/\.m3u8$/i, '');
  const fmp4 = hls.hlsSegmentType === 'fmp4';
  const options: Record<string, string> = {
    hls_time: String(hls.hlsTime),
    hls_segment_type: hls.hlsSegmentType,
    // Named after the playlist, so two playlists can share a folder.
    hls_segment_filename: `${base}_%05d.${fmp4 ? 'm4s' : 'ts'}`,
  };
  if (fmp4) options.hls_fmp4_init_filename = `${basename(base)}_init.mp4`;
  if (hls.hlsPlaylist === 'event') {
    options.hls_playlist_type = 'event';
    options.hls_list_size = '0';
    options.hls_flags = 'independent_segments';
  } else {
    options.hls_list_size = String(hls.hlsListSize);
    options.hls_flags = 'delete_segments+independent_segments';
  }
  return options;
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
