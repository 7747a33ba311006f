/**
 * The viewer URLs of the reference DVR API under `/{name}/…`: archive
 * downloads, HLS playlists and their segment files, thumbnails. Each file
 * name is parsed in one place (media-paths.ts), which also tells the access
 * hook which play-token kind a URL needs.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { checkStreamName } from '../../../archive/layout.js';
import type { RouteAccess, TokenKind } from '../../access/route-access.js';
import type { AppDeps, MediaDeps } from '../../deps.js';
import {
  MediaFileParamsSchema,
  mediaFileResponses,
  MediaQuerySchema,
  MediaSegmentParamsSchema,
  mediaSegmentResponses,
  SegmentQuerySchema,
} from '../../schemas/media.js';
import { sendArchiveFile } from './archive-download.js';
import { sendEpochSegment, sendPlaylist } from './hls.js';
import { parseMediaFileName } from './media-paths.js';
import { sendThumbnail } from './thumbnails.js';

interface NameAndFile {
  name: string;
  file: string;
}

/** A live playlist needs a live token, an archive playlist or thumbnail an archive one, a download a download one. */
function tokenKindsOfFile(request: FastifyRequest): readonly TokenKind[] | undefined {
  let asked;
  try {
    asked = parseMediaFileName((request.params as Partial<NameAndFile>).file ?? '');
  } catch {
    return undefined; // the handler answers with what is wrong in the name
  }
  return asked.kind === 'live-playlist' ? ['live'] : asked.kind === 'archive' ? ['download'] : ['archive'];
}

const fileAccess = {
  access: { role: 'viewer', streamParam: 'name', tokenKindsOf: tokenKindsOfFile },
} satisfies { access: RouteAccess };
// Live and archive playlists both list these segments.
const segmentAccess = {
  access: { role: 'viewer', streamParam: 'name', tokenKindsOf: () => ['live', 'archive'] },
} satisfies { access: RouteAccess };

export const mediaRoutes: FastifyPluginAsync<AppDeps & { media: MediaDeps }> = async (app, deps) => {
  const { media } = deps;
  app.route<{ Params: NameAndFile }>({
    method: ['GET', 'HEAD'],
    url: '/:name/:file',
    exposeHeadRoute: false,
    config: fileAccess,
    schema: {
      tags: ['viewer'],
      summary: 'Viewer URL: an archive download, an HLS playlist (archive or live) or a thumbnail',
      params: MediaFileParamsSchema,
      querystring: MediaQuerySchema,
      response: mediaFileResponses,
    },
    handler: async (request, reply) => {
      const { name, file } = request.params;
      checkStreamName(name);
      const asked = parseMediaFileName(file);
      switch (asked.kind) {
        case 'archive':
          return sendArchiveFile(request, reply, media, name, asked);
        case 'playlist':
        case 'live-playlist':
          return sendPlaylist(request, reply, media, name, asked);
        case 'thumbnail':
          return sendThumbnail(request, reply, media, name, asked);
      }
    },
  });

  app.route<{ Params: NameAndFile }>({
    method: ['GET', 'HEAD'],
    url: '/:name/s/:file',
    exposeHeadRoute: false,
    config: segmentAccess,
    schema: {
      tags: ['viewer'],
      summary: 'An HLS segment a playlist lists',
      params: MediaSegmentParamsSchema,
      querystring: SegmentQuerySchema,
      response: mediaSegmentResponses,
    },
    handler: async (request, reply) => {
      checkStreamName(request.params.name);
      return sendEpochSegment(request, reply, media, request.params.name, request.params.file);
    },
  });
};
