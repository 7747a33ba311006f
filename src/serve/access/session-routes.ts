/**
 * Web UI sign-in: `POST|GET|DELETE /api/v1/session`. The cookie is HttpOnly
 * and SameSite=Strict, Secure when the request came over TLS (directly, or
 * `X-Forwarded-Proto: https` from a trusted proxy). The CSRF token in the
 * answer must come back as X-CSRF-Token on state-changing requests.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { VigilError } from '../../errors.js';
import { SESSION_COOKIE, sendThrottled, sessionIdOf } from './access-hook.js';
import { LoginThrottled, type AccessService } from './access-service.js';
import { accessErrors, LoginSchema, SessionSchema } from './access-schemas.js';
import type { Principal } from './principal.js';

const tags = ['access'];

function sessionBody(principal: Principal, csrfToken: string) {
  return {
    user: principal.name,
    role: principal.role,
    streams: principal.streams === null ? null : [...principal.streams],
    csrf_token: csrfToken,
  };
}

function cookieOptions(request: FastifyRequest) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: request.protocol === 'https',
  };
}

export const sessionRoutes: FastifyPluginAsyncTypebox<{ service: AccessService }> = async (app, { service }) => {
  app.post(
    '/api/v1/session',
    {
      config: { access: { role: 'public' } },
      schema: {
        tags,
        summary: 'Sign in with user name and password; sets the session cookie',
        body: LoginSchema,
        response: { 200: SessionSchema, ...accessErrors },
      },
    },
    async (request, reply) => {
      let principal: Principal;
      try {
        principal = await service.checkPassword(request.body.user, request.body.password, request.ip);
      } catch (err) {
        if (!(err instanceof LoginThrottled)) throw err;
        return sendThrottled(reply, err);
      }
      const { id, session } = service.sessions.create(principal.name);
      reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions(request), maxAge: service.sessions.maxAgeSeconds });
      request.log.info({ user: principal.name }, 'signed in');
      return reply.send(sessionBody(principal, session.csrfToken));
    },
  );

  app.get(
    '/api/v1/session',
    {
      // Public: the answer is about the session cookie alone (401 without one), whatever else the request carries.
      config: { access: { role: 'public' } },
      schema: { tags, summary: 'Who is signed in', response: { 200: SessionSchema, ...accessErrors } },
    },
    async (request) => {
      const id = sessionIdOf(request);
      const principal = id === undefined ? undefined : await service.sessionPrincipal(id);
      if (principal?.csrfToken === undefined) {
        throw new VigilError('UNAUTHORIZED', 'not signed in: POST /api/v1/session first');
      }
      return sessionBody(principal, principal.csrfToken);
    },
  );

  app.delete(
    '/api/v1/session',
    {
      // Public so an expired session can still clear its cookie; SameSite=Strict keeps other sites from calling it.
      config: { access: { role: 'public' } },
      schema: {
        tags,
        summary: 'Sign out',
        response: { 204: Type.Null({ description: 'signed out' }), ...accessErrors },
      },
    },
    async (request, reply) => {
      const id = sessionIdOf(request);
      if (id !== undefined) service.sessions.delete(id);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
      return reply.code(204).send(null);
    },
  );
};
