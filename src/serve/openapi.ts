/**
 * The API's documentation, generated from the routes' own schemas: the
 * OpenAPI 3 document at `GET /api/openapi.json` and a browsable page at
 * `/api/docs` (Swagger UI, its assets served from the package, no CDN).
 * Installed before any route, since @fastify/swagger collects routes as they
 * are added. Both are public: the document lists routes and shapes, no secret.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RouteAccess } from './access/route-access.js';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PREFIX = '/api/docs';

const PUBLIC: RouteAccess = { role: 'public' };

/** package.json at the repository (or package) root, from src/serve or dist/serve alike. */
function packageVersion(): string {
  try {
    const text = readFileSync(resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const DESCRIPTION = [
  'Vigil records camera streams into an archive and serves it back.',
  'Admin API under `/streamer/api/v3` and `/api/v1`; viewer URLs under `/{name}/…`.',
  'Credentials: `Authorization: Bearer <token or API key>`, Basic, the `vigil_session` cookie',
  '(non-GET requests with it also send `X-CSRF-Token`), or `?token=` (a play token) on viewer URLs.',
  'Every error answers `{ "error": { code, message, field? } }`.',
].join(' ');

/** Swagger UI's routes, wrapped so each gets the public access declaration the access hook asks for. */
const docsPage: FastifyPluginAsync = async (app) => {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: PUBLIC };
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { docExpansion: 'list', deepLinking: true, validatorUrl: null },
    // Nothing outside the page's own origin: no validator badge, no fonts from a CDN.
    staticCSP: true,
  });
};

export function installOpenApi(app: FastifyInstance): void {
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Vigil', description: DESCRIPTION, version: packageVersion() },
      tags: [
        { name: 'streams', description: 'Stream definitions and their state' },
        { name: 'dvr', description: 'Recorded ranges, locks, archive usage, server-side exports' },
        { name: 'events', description: 'Events on a stream (detections, alarms)' },
        { name: 'exports', description: 'Export jobs and their files' },
        { name: 'viewer', description: 'Viewer URLs: archive downloads, HLS, thumbnails' },
        { name: 'access', description: 'Sign-in, users, API keys, play tokens' },
        { name: 'metrics', description: 'Prometheus metrics' },
        { name: 'web-ui', description: 'The browser UI' },
        { name: 'health', description: 'Probes' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Admin token or API key' },
          basic: { type: 'http', scheme: 'basic', description: 'User name and password' },
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
          playToken: { type: 'apiKey', in: 'query', name: 'token', description: 'Signed play token (viewer URLs)' },
        },
      },
      security: [{ bearer: [] }, { basic: [] }, { session: [] }, { playToken: [] }],
    },
    // GET routes declare it once; the HEAD twins Fastify adds would only repeat it.
    exposeHeadRoutes: false,
  });
  void app.register(async (docs) => {
    docs.get(OPENAPI_PATH, { config: { access: PUBLIC }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('application/json; charset=utf-8').send(app.swagger()),
    );
    await docs.register(docsPage);
  });
}
