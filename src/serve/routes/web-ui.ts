/**
 * The web UI: the static files Vite builds into web/dist, handed out at `/`
 * without credentials (the UI signs in through `/api/v1/session`; the files
 * hold no data). Routes are hash-based (`/#/streams/cam1`), so `/` is the only
 * page path and no UI route can shadow a viewer URL `/{name}/…`. Each file
 * gets its own exact route, so a stream may even be called `assets`: only the
 * built file names themselves are taken.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { RouteAccess } from '../access/route-access.js';
import { contentResponse, emptyResponse } from '../schemas/common.js';
import { renderWebUiMissingPage } from './status-page.js';

/** web/dist at the repository (or package) root, from src/serve/routes or dist/serve/routes alike. */
export const DEFAULT_WEB_DIST = resolve(import.meta.dirname, '..', '..', '..', 'web', 'dist');

export interface WebUiOptions {
  /** Where the built UI is; default web/dist. */
  distDir?: string;
}

const PUBLIC: RouteAccess = { role: 'public' };

const UI_PAGE_SCHEMA = {
  // @fastify/static hides its routes by default.
  hide: false,
  tags: ['web-ui'],
  summary: 'The web UI (its scripts and styles are the built files it names)',
  response: {
    200: contentResponse('The UI page', ['text/html'], false),
    304: emptyResponse('Not modified'),
    503: contentResponse('The UI is not built: a page naming the command that builds it', ['text/html'], false),
  },
};

/** The page runs only its own scripts; hls.js starts its worker from a blob URL and feeds <video> through MediaSource. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function setUiHeaders(reply: FastifyReply, path: string): void {
  // Vite puts a content hash in every asset's name; index.html must be asked again to see a new build.
  if (/[/\\]assets[/\\]/.test(path)) {
    reply.header('cache-control', 'public, max-age=31536000, immutable');
  } else {
    reply.header('cache-control', 'no-cache');
  }
  if (path.endsWith('.html')) {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
  }
}

export const webUiRoutes: FastifyPluginAsync<WebUiOptions> = async (app, options) => {
  const distDir = options.distDir ?? DEFAULT_WEB_DIST;
  // @fastify/static takes no route config: give every route of this plugin the public access it needs.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: PUBLIC };
    // The page is in the API document; the built files' hashed names are not API.
    route.schema = route.url === '/' ? { ...route.schema, ...UI_PAGE_SCHEMA } : { ...route.schema, hide: true };
  });

  if (!existsSync(resolve(distDir, 'index.html'))) {
    app.log.warn({ distDir }, 'web UI not built: run `npm run build:web`');
    app.get('/', async (_request, reply) =>
      reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(renderWebUiMissingPage(distDir)),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    // One exact route per built file (`/`, `/index.html`, `/assets/index-….js`), none for anything else.
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    etag: true,
    lastModified: true,
    serveDotFiles: false,
    setHeaders: setUiHeaders,
  });
};
