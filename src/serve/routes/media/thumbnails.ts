/**
 * Thumbnails: `{from}.jpg` redirects to the nearest keyframe's own URL, which
 * is served (and cached) as a JPEG; `{from}-preview.jpg` decodes on demand
 * with `?method=` and `?width=`; `{from}-preview.mp4` is that keyframe as a
 * one-frame MP4 built from the archive's bytes, with nothing decoded.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildProgressiveMp4 } from '../../../export/progressive-mp4.js';
import {
  parseThumbnailMethod,
  parseThumbnailWidth,
  planThumbnail,
  thumbnailSelection,
  type ThumbnailMethod,
  type ThumbnailPlan,
} from '../../../export/thumbnail-plan.js';
import { readVirtualFile } from '../../../export/virtual-file.js';
import type { MediaDeps } from '../../deps.js';
import { sendVirtualFile } from '../../send-virtual-file.js';
import type { MediaRequest } from './media-paths.js';
import { parseVariant, queryString, type MediaQuery } from './media-query.js';
import { reportInMemoryBody, servedReporter } from './served-usage.js';
import { streamTitle } from './stream-lookup.js';

/** How far past the asked instant 'after' may look for a keyframe: the next segment or two. */
const LOOKAHEAD_US = 180_000_000;
/**
 * The other methods find their keyframe in the segment holding the instant or,
 * for 'nearest', at the start of the next one: later segments' moofs (about
 * 70 KiB a minute) need not be loaded and parsed for every hover.
 */
const SEGMENTS_BESIDE_AFTER = 2;
const CACHE_ENTRIES = 256;

/** Keyframe JPEGs by stream, variant, time and width: a timeline hover asks for the same ones again and again. */
const jpegCaches = new WeakMap<MediaDeps, Map<string, Uint8Array>>();

/** The cache of one app's media (two apps in a process, as in tests, never share entries). */
function jpegCacheOf(media: MediaDeps): Map<string, Uint8Array> {
  let cache = jpegCaches.get(media);
  if (cache === undefined) jpegCaches.set(media, (cache = new Map()));
  return cache;
}

function remember(cache: Map<string, Uint8Array>, key: string, jpeg: Uint8Array): void {
  cache.delete(key); // re-inserted last: the oldest entry is the least recently used
  cache.set(key, jpeg);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
}

/** Unix seconds with at most millisecond decimals, no trailing zeros: `1763712000.48`. */
export function formatUnixSeconds(us: number): string {
  return String(Math.round(us / 1000) / 1000);
}

async function plan(media: MediaDeps, name: string, atUs: number, method: ThumbnailMethod, query: MediaQuery) {
  const variant = parseVariant(query);
  const inRange = await media.archive.segmentsInRange(name, variant, atUs, atUs + LOOKAHEAD_US);
  const segments = method === 'after' ? inRange : inRange.slice(0, SEGMENTS_BESIDE_AFTER);
  const fragments = await media.archive.fragmentsOf(segments.map((s) => s.id));
  return planThumbnail({ segments, fragments }, atUs, method);
}

async function readSamples(media: MediaDeps, p: ThumbnailPlan, signal: AbortSignal): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const s of p.samples) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of media.reader.read(s.file, s.offset, s.sizeBytes, signal)) chunks.push(chunk);
    out.push(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }
  return out;
}

/** The planned keyframe (and what leads to the target frame) read from disk and decoded to a JPEG. */
export async function decodePlannedThumbnail(
  media: MediaDeps,
  p: ThumbnailPlan,
  width: number | undefined,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(15_000);
  const samples = await readSamples(media, p, signal);
  return media.engine.decodeThumbnail(
    { track: p.track, samples, targetIndex: p.targetIndex, ...(width === undefined ? {} : { width }) },
    signal,
  );
}

export async function sendThumbnail(
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaDeps,
  name: string,
  asked: Extract<MediaRequest, { kind: 'thumbnail' }>,
): Promise<FastifyReply> {
  const query = request.query as MediaQuery;
  const width = parseThumbnailWidth(queryString(query, 'width'));
  const title = await streamTitle(media, name);

  if (!asked.preview) {
    const p = await plan(media, name, asked.fromUs, 'nearest', query);
    const canonical = formatUnixSeconds(p.keyframeUs);
    if (canonical !== asked.from) {
      const search = new URLSearchParams(request.query as Record<string, string>).toString();
      return reply.redirect(`${canonical}.jpg${search === '' ? '' : `?${search}`}`, 302);
    }
    const key = `${name}|${parseVariant(query)}|${p.keyframeUs}|${width ?? ''}`;
    const cache = jpegCacheOf(media);
    const jpeg = cache.get(key) ?? (await decodePlannedThumbnail(media, p, width));
    remember(cache, key, jpeg);
    reply.header('Cache-Control', 'private, max-age=86400');
    reply.header('X-Thumbnail-Utc', canonical);
    return sendJpeg(request, reply, media, name, p.keyframeUs, jpeg);
  }

  const p = await plan(media, name, asked.fromUs, parseThumbnailMethod(queryString(query, 'method')), query);
  reply.header('X-Thumbnail-Utc', formatUnixSeconds(p.shownUs));
  if (asked.format === 'mp4') {
    const layout = buildProgressiveMp4(thumbnailSelection(p), { title, timeZone: media.timeZone });
    return sendVirtualFile(request, reply, readVirtualFile(layout, media.reader), {
      cacheControl: 'no-cache',
      onDone: servedReporter(request, reply, media.onServed, { stream: name, kind: 'thumbnail', dvrUtcUs: p.shownUs }),
    });
  }
  const jpeg = await decodePlannedThumbnail(media, p, width);
  reply.header('Cache-Control', 'no-cache');
  return sendJpeg(request, reply, media, name, p.shownUs, jpeg);
}

/** A JPEG is made in memory: all of it counts as served from RAM. */
function sendJpeg(
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaDeps,
  name: string,
  atUs: number,
  jpeg: Uint8Array,
): FastifyReply {
  reportInMemoryBody(
    request,
    reply,
    media.onServed,
    { stream: name, kind: 'thumbnail', dvrUtcUs: atUs },
    jpeg.byteLength,
  );
  return reply.type('image/jpeg').send(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength));
}
