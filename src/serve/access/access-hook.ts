/**
 * The one place access is enforced: an app-level `onRequest` hook that reads
 * the route's `config.access`, finds who the request acts for and checks role,
 * stream, play-token claims and CSRF before any body is read. A route that
 * declares nothing is refused (fail closed).
 */
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorTable, VigilError, type ErrorCode } from '../../errors.js';
import { sameSecret } from '../../secret-compare.js';
import { LoginThrottled, type AccessService } from './access-service.js';
import { looksLikeApiKey } from './api-keys.js';
import { normalizeIp } from './ip-allow.js';
import { looksLikePlayToken, type PlayTokenClaims } from './play-tokens.js';
import type { Principal } from './principal.js';
import { roleAtLeast, type RouteAccess, type TokenKind } from './route-access.js';

export const SESSION_COOKIE = 'vigil_session';
export const CSRF_HEADER = 'x-csrf-token';
const CHALLENGE = ['Basic realm="vigil", charset="UTF-8"', 'Bearer realm="vigil"'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An access refusal in the usual error envelope, sent from a hook without going through the error handler. */
function sendAccessError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return reply.code(errorTable[code].status).send({ error: { code, message } });
}

/** A throttled sign-in: 429 with Retry-After, from the hook or the session route. */
export function sendThrottled(reply: FastifyReply, err: LoginThrottled): FastifyReply {
  reply.header('Retry-After', String(err.retryAfterSeconds));
  return sendAccessError(reply, 'RATE_LIMITED', err.message);
}

/** Read from the header itself: the access hook may run before the cookie plugin's own hook. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const fromPlugin = request.cookies?.[SESSION_COOKIE];
  if (fromPlugin !== undefined) return fromPlugin;
  const header = request.headers.cookie;
  return header === undefined ? undefined : fastifyCookie.parse(header)[SESSION_COOKIE];
}

function tokenPrincipal(service: AccessService, token: string): Principal {
  const check = service.verifyToken(token);
  if (!check.ok) {
    const why =
      check.reason === 'expired'
        ? `expired at ${new Date((check.expiresAt ?? 0) * 1000).toISOString()}; ask for a new one`
        : check.reason === 'tampered'
          ? 'its signature does not match (altered, or signed by another server)'
          : 'not a Vigil play token, API key or admin token';
    throw new VigilError('FORBIDDEN', `token: ${why}`, { field: 'token' });
  }
  return { via: 'token', name: 'token', role: 'viewer', streams: [check.claims.stream], token: check.claims };
}

/** A secret given as a bearer token or `?token=`: the admin token, an API key or a play token. */
async function principalOfSecret(service: AccessService, secret: string, ip: string): Promise<Principal> {
  if (service.isAdminToken(secret)) return { via: 'admin', name: 'admin', role: 'admin', streams: null };
  if (looksLikeApiKey(secret)) return service.checkApiKey(secret, ip);
  // A wrong secret is a missing credential (401); only something shaped like a play token gets its 403 reasons.
  if (!looksLikePlayToken(secret)) throw new VigilError('UNAUTHORIZED', 'the token or key is not known');
  return tokenPrincipal(service, secret);
}

async function resolvePrincipal(service: AccessService, request: FastifyRequest): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header !== undefined && header !== '') {
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'bearer' && value !== '') return principalOfSecret(service, value, request.ip);
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return service.checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1), request.ip);
    }
    throw new VigilError('UNAUTHORIZED', 'authorization: expected Bearer <token or key> or Basic <user:password>');
  }
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  if (typeof token === 'string' && token !== '') return principalOfSecret(service, token, request.ip);
  const sessionId = sessionIdOf(request);
  if (sessionId !== undefined && sessionId !== '') return service.sessionPrincipal(sessionId);
  return undefined;
}

function checkTokenFits(
  claims: PlayTokenClaims,
  access: RouteAccess,
  request: FastifyRequest,
  stream: string | undefined,
): void {
  const forbid = (message: string) => new VigilError('FORBIDDEN', `token: ${message}`, { field: 'token' });
  const kinds: readonly TokenKind[] | undefined = access.tokenKindsOf
    ? access.tokenKindsOf(request)
    : access.tokenKind === undefined
      ? []
      : [access.tokenKind];
  if (kinds !== undefined && kinds.length === 0) {
    throw forbid('a play token opens viewer URLs only (/{name}/…); use an API key or sign in for the API');
  }
  if (kinds !== undefined && !kinds.some((k) => claims.kinds.includes(k))) {
    throw forbid(`allows ${claims.kinds.join(', ') || 'nothing'}, and this URL needs ${kinds.join(' or ')}`);
  }
  if (claims.ip !== undefined && normalizeIp(claims.ip) !== normalizeIp(request.ip)) {
    throw forbid('was issued for another client IP address');
  }
  if (stream !== undefined && stream !== claims.stream) {
    throw forbid(`was issued for stream "${claims.stream}", not "${stream}"`);
  }
}

function paramOf(request: FastifyRequest, name: string): string | undefined {
  const value = (request.params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function missingCredentials(request: FastifyRequest, reply: FastifyReply, message: string): VigilError {
  // A browser app signed in by cookie must not get the native Basic prompt.
  const fromWebUi = request.headers[CSRF_HEADER] !== undefined || sessionIdOf(request) !== undefined;
  reply.header('WWW-Authenticate', fromWebUi ? 'Bearer realm="vigil"' : CHALLENGE);
  return new VigilError('UNAUTHORIZED', message);
}

export function accessHook(service: AccessService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    request.principal = null;
    if (request.is404) return undefined;
    const access = request.routeOptions.config.access;
    if (access === undefined) {
      throw new VigilError('FORBIDDEN', `${request.method} ${request.routeOptions.url ?? ''} declares no access rule`);
    }
    if (access.role === 'public') return undefined;

    let principal: Principal | undefined;
    try {
      principal = await resolvePrincipal(service, request);
    } catch (err) {
      if (err instanceof LoginThrottled) return sendThrottled(reply, err);
      if (err instanceof VigilError && err.code === 'UNAUTHORIZED')
        throw missingCredentials(request, reply, err.message);
      throw err;
    }
    if (principal === undefined) {
      throw missingCredentials(
        request,
        reply,
        'credentials are missing: send Authorization: Bearer <token or API key>, HTTP Basic, ?token=<play token>, or sign in',
      );
    }
    const stream = access.streamParam === undefined ? undefined : paramOf(request, access.streamParam);
    if (principal.token !== undefined) checkTokenFits(principal.token, access, request, stream);
    if (!roleAtLeast(principal.role, access.role)) {
      throw new VigilError('FORBIDDEN', `this needs role ${access.role}; ${principal.name} has role ${principal.role}`);
    }
    if (stream !== undefined && principal.streams !== null && !principal.streams.includes(stream)) {
      throw new VigilError(
        'FORBIDDEN',
        `${access.streamParam}: ${principal.name} has no access to stream "${stream}"`,
        {
          field: access.streamParam,
        },
      );
    }
    if (principal.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, principal.csrfToken)) {
        return sendAccessError(reply, 'CSRF', `send header X-CSRF-Token with the csrf_token of your session`);
      }
    }
    request.principal = principal;
    return undefined;
  };
}
