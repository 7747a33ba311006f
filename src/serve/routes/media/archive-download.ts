/**
 * `GET|HEAD /{name}/archive-{from}-{duration}.mp4|.ts`: an archive range as a
 * file, planned from the index and read straight from the segment files.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { planExport } from '../../../export/plan-export.js';
import type { MediaDeps } from '../../deps.js';
import { sendVirtualFile } from '../../send-virtual-file.js';
import type { MediaRequest } from './media-paths.js';
import { parseGaps, parseMp4Format, parseVariant, type MediaQuery } from './media-query.js';
import { servedReporter } from './served-usage.js';
import { streamTitle } from './stream-lookup.js';

/** A range that ended this long ago no longer changes: recorders have closed its segments. */
const SETTLED_AFTER_US = 120_000_000;

export async function sendArchiveFile(
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaDeps,
  name: string,
  asked: Extract<MediaRequest, { kind: 'archive' }>,
): Promise<FastifyReply> {
  const query = request.query as MediaQuery;
  const container = asked.container === 'ts' ? 'ts' : parseMp4Format(query);
  const toUs = asked.fromUs + asked.durationUs;
  const planned = await planExport(
    media,
    { stream: name, variant: parseVariant(query), fromUs: asked.fromUs, toUs, gaps: parseGaps(query) },
    container,
    { title: await streamTitle(media, name), timeZone: media.timeZone },
  );
  const now = media.now?.() ?? Date.now() * 1000;
  const settled = toUs + SETTLED_AFTER_US < now;
  return sendVirtualFile(request, reply, planned.file, {
    etag: planned.etag,
    ...(settled ? { lastModified: new Date(Math.floor(toUs / 1000)) } : {}),
    cacheControl: settled ? 'private, max-age=86400' : 'no-cache',
    downloadName: `${name}_${asked.from}_${asked.duration}.${asked.container}`,
    onDone: servedReporter(request, reply, media.onServed, { stream: name, kind: 'archive', dvrUtcUs: asked.fromUs }),
  });
}
