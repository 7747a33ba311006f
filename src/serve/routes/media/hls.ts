/**
 * Archive and live HLS: playlists of byte ranges of segment files, served on
 * the epoch timeline by `GET /{name}/s/{segmentId}.m4s`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SegmentRecord } from '../../../archive/types.js';
import { VigilError } from '../../../errors.js';
import { epochSegmentLayout } from '../../../export/hls/epoch-segment.js';
import { buildPlaylist, type PlaylistKind } from '../../../export/hls/playlist.js';
import { readVirtualFile } from '../../../export/virtual-file.js';
import type { MediaDeps } from '../../deps.js';
import { sendVirtualFile } from '../../send-virtual-file.js';
import type { MediaRequest } from './media-paths.js';
import { parseVariant, withToken, type MediaQuery } from './media-query.js';
import { reportInMemoryBody, servedReporter } from './served-usage.js';
import { streamTitle } from './stream-lookup.js';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
/** How far back the live window looks for the newest fragments. */
const LIVE_LOOKBACK_US = 60_000_000;

export async function sendPlaylist(
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaDeps,
  name: string,
  asked: Extract<MediaRequest, { kind: 'playlist' | 'live-playlist' }>,
): Promise<FastifyReply> {
  await streamTitle(media, name); // 404 for a stream that neither exists nor has recordings
  const query = request.query as MediaQuery;
  const variant = parseVariant(query);
  const now = media.now?.() ?? Date.now() * 1000;
  let kind: PlaylistKind;
  let fromUs: number;
  let toUs: number;
  if (asked.kind === 'live-playlist') {
    kind = 'live';
    const newest = (await media.archive.depth(name)).toUs ?? now;
    fromUs = newest - LIVE_LOOKBACK_US;
    toUs = newest + 1;
  } else {
    kind = asked.durationUs === 'now' ? 'event' : 'vod';
    fromUs = asked.fromUs;
    toUs = asked.durationUs === 'now' ? now + 1 : asked.fromUs + asked.durationUs;
  }
  const segments = await media.archive.segmentsInRange(name, variant, fromUs, toUs);
  if (segments.length === 0 && kind === 'vod') {
    throw new VigilError(
      'RANGE_NOT_RECORDED',
      `stream "${name}" has no recording between ${new Date(fromUs / 1000).toISOString()} and ${new Date(toUs / 1000).toISOString()}`,
    );
  }
  const fragments = await media.archive.fragmentsOf(segments.map((s) => s.id));
  const playlist = buildPlaylist({
    kind,
    segments,
    fragments,
    fromUs,
    toUs,
    segmentUri: (s: SegmentRecord) => withToken(`s/${s.id}.m4s`, query),
    ...(kind === 'live' ? { sequenceBases: await media.archive.sequenceBases(segments.map((s) => s.id)) } : {}),
  });
  reply.header('Content-Type', PLAYLIST_TYPE);
  reply.header('Cache-Control', kind === 'vod' && toUs < now ? 'private, max-age=60' : 'no-cache');
  const served =
    kind === 'live'
      ? { kind: 'live-playlist' as const, dvrUtcUs: null }
      : { kind: 'hls-playlist' as const, dvrUtcUs: fromUs };
  reportInMemoryBody(request, reply, media.onServed, { stream: name, ...served }, Buffer.byteLength(playlist));
  return reply.send(playlist);
}

const SEGMENT_FILE = /^(\d{1,15})\.m4s$/;

export async function sendEpochSegment(
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaDeps,
  name: string,
  file: string,
): Promise<FastifyReply> {
  const match = SEGMENT_FILE.exec(file);
  const segment = match === null ? undefined : await media.archive.segmentById(Number(match[1]));
  // Another stream's segment is as absent as a missing one: ids say nothing across streams.
  if (segment === undefined || segment.stream !== name) {
    throw new VigilError(
      'NOT_FOUND',
      `stream "${name}" has no segment "${file}" (deleted by retention, or never there)`,
    );
  }
  const fragments = await media.archive.fragmentsOf([segment.id]);
  const layout = epochSegmentLayout(segment, fragments);
  return sendVirtualFile(request, reply, readVirtualFile(layout, media.reader), {
    ...(segment.closed ? { etag: `"s${segment.id}-${layout.sizeBytes}"` } : {}),
    cacheControl: segment.closed ? 'private, max-age=86400' : 'no-cache',
    onDone: servedReporter(request, reply, media.onServed, {
      stream: name,
      kind: 'hls-segment',
      dvrUtcUs: segment.startUs,
    }),
  });
}
