/**
 * The viewer URL file names of the reference DVR API, parsed into what they
 * ask for. `from` is Unix seconds (decimals allowed, for a frame-exact start);
 * every wrong part gets an error naming it.
 */
import { invalidArgument, VigilError } from '../../../errors.js';
import { US_PER_SECOND } from '../../../time.js';
import { MAX_RANGE_SECONDS } from '../../../export/limits.js';

export type MediaRequest =
  | { kind: 'archive'; fromUs: number; durationUs: number; container: 'mp4' | 'ts'; from: string; duration: string }
  | { kind: 'playlist'; fromUs: number; durationUs: number | 'now' }
  | { kind: 'live-playlist' }
  /** `{from}.jpg` (a stored keyframe's JPEG, or a redirect to one), `{from}-preview.jpg|mp4` (decoded on demand). */
  | { kind: 'thumbnail'; fromUs: number; from: string; preview: boolean; format: 'jpg' | 'mp4' };

const ARCHIVE = /^archive-(.+)\.(mp4|ts)$/;
const PLAYLIST = /^index-(.+)\.m3u8$/;
const THUMBNAIL = /^([^-]+)(-preview)?\.(jpg|mp4)$/;

/** `{from}-{duration}`: split at the first dash after the first character, so a negative `from` reads as one. */
function splitFromDuration(text: string): [string, string] {
  const dash = text.indexOf('-', 1);
  return dash < 0 ? [text, ''] : [text.slice(0, dash), text.slice(dash + 1)];
}

function parseFrom(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw invalidArgument(
      'from',
      `expected Unix seconds (e.g. 1763712000 or 1763712000.52), got ${JSON.stringify(text)}`,
    );
  }
  return Math.round(Number(text) * US_PER_SECOND);
}

function parseDuration(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) {
    throw invalidArgument('duration', `expected seconds greater than 0 (e.g. 60), got ${JSON.stringify(text)}`);
  }
  if (Number(text) > MAX_RANGE_SECONDS) {
    throw invalidArgument(
      'duration',
      `at most ${MAX_RANGE_SECONDS} s (7 days) per request, got ${text}; ask for the range in pieces`,
    );
  }
  return Math.round(Number(text) * US_PER_SECOND);
}

export function parseMediaFileName(file: string): MediaRequest {
  if (file === 'index.m3u8') return { kind: 'live-playlist' };
  const archive = ARCHIVE.exec(file);
  if (archive !== null) {
    const [, body = '', container] = archive;
    const [from, duration] = splitFromDuration(body);
    return {
      kind: 'archive',
      fromUs: parseFrom(from),
      durationUs: parseDuration(duration),
      container: container === 'ts' ? 'ts' : 'mp4',
      from,
      duration,
    };
  }
  const playlist = PLAYLIST.exec(file);
  if (playlist !== null) {
    const [from, duration] = splitFromDuration(playlist[1] ?? '');
    return {
      kind: 'playlist',
      fromUs: parseFrom(from),
      durationUs: duration === 'now' ? 'now' : parseDuration(duration),
    };
  }
  const thumbnail = THUMBNAIL.exec(file);
  if (thumbnail !== null && (thumbnail[2] !== undefined || thumbnail[3] === 'jpg')) {
    const [, from = '', preview, format] = thumbnail;
    return {
      kind: 'thumbnail',
      fromUs: parseFrom(from),
      from,
      preview: preview !== undefined,
      format: format === 'mp4' ? 'mp4' : 'jpg',
    };
  }
  throw new VigilError(
    'NOT_FOUND',
    `no media at "${file}": expected archive-{from}-{duration}.mp4|.ts, index-{from}-{duration}.m3u8, ` +
      'index-{from}-now.m3u8, index.m3u8, {from}.jpg, {from}-preview.jpg or {from}-preview.mp4',
  );
}
