/**
 * `POST /api/v1/tokens`: a signed play token for one stream's viewer URLs.
 * Anyone signed in may ask for a stream it may see (so a viewer only for its
 * own); a play token cannot mint another.
 */
import { isIP } from 'node:net';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { invalidArgument, VigilError } from '../../errors.js';
import type { AccessService } from './access-service.js';
import { accessErrors, NewTokenSchema, TokenSchema } from './access-schemas.js';
import { requireStreamAccess } from './principal.js';

export const tokenRoutes: FastifyPluginAsyncTypebox<{ service: AccessService }> = async (app, { service }) => {
  app.post(
    '/api/v1/tokens',
    {
      config: { access: { role: 'viewer' } },
      schema: {
        tags: ['access'],
        summary: 'Sign a play token for ?token= on viewer URLs (HLS, downloads, thumbnails)',
        body: NewTokenSchema,
        response: { 200: TokenSchema, ...accessErrors },
      },
    },
    async (request) => {
      if (request.principal?.via === 'token') {
        throw new VigilError('FORBIDDEN', 'a play token cannot issue tokens; use an API key or sign in');
      }
      const { stream, kinds, expires_in: expiresIn, ip } = request.body;
      requireStreamAccess(request, stream);
      if (ip !== undefined && isIP(ip) === 0) {
        throw invalidArgument('ip', `expected one IP address (e.g. 203.0.113.7), got ${JSON.stringify(ip)}`);
      }
      const expiresAt = Math.floor(service.nowMs() / 1000) + expiresIn;
      const token = service.signToken({ stream, kinds, expiresAt, ...(ip === undefined ? {} : { ip }) });
      return { token, expires_at: expiresAt };
    },
  );
};
