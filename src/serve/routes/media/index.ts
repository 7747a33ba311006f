/**
 * The viewer URLs of the reference DVR API under `/{name}/…`: archive
 * downloads, HLS playlists and their segment files, thumbnails. One auth hook
 * for all of them; each file name is parsed in one place (media-paths.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { checkStreamName } from '../../../archive/layout.js';
import { viewerAuthHook } from '../../admin-auth.js';
import type { AppDeps, MediaDeps } from '../../deps.js';
import { sendArchiveFile } from './archive-download.js';
import { sendEpochSegment, sendPlaylist } from './hls.js';
import { parseMediaFileName } from './media-paths.js';
import { sendThumbnail } from './thumbnails.js';

interface NameAndFile {
  name: string;
  file: string;
}

export const mediaRoutes: FastifyPluginAsync<AppDeps & { media: MediaDeps }> = async (app, deps) => {
  const { media } = deps;
  app.addHook('onRequest', viewerAuthHook(deps.auth));

  app.route<{ Params: NameAndFile }>({
    method: ['GET', 'HEAD'],
    url: '/:name/:file',
    exposeHeadRoute: false,
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
    handler: async (request, reply) => {
      checkStreamName(request.params.name);
      return sendEpochSegment(request, reply, media, request.params.name, request.params.file);
    },
  });
};
