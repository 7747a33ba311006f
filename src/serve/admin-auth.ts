/**
 * Admin authentication, run as an `onRequest` hook on the admin plugin: it
 * runs before the body is read, so a refused request changes nothing. Accepts
 * `Authorization: Bearer <token>` or HTTP Basic user and password, compared
 * in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../errors.js';
import type { AdminAuth } from './deps.js';

const CHALLENGE = ['Basic realm="vigil", charset="UTF-8"', 'Bearer realm="vigil"'];

// Hashing first gives equal lengths, so timingSafeEqual leaks neither content nor length.
function sameSecret(given: string, expected: string | undefined): boolean {
  if (expected === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when the Authorization header carries the admin token or user and password. */
export function isAdmin(header: string | undefined, auth: AdminAuth): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (scheme === 'bearer') return sameSecret(credentials, auth.token);
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both compared every time (no short-circuit), so timing says nothing about which was wrong.
    const userOk = sameSecret(decoded.slice(0, colon), auth.user);
    const passwordOk = sameSecret(decoded.slice(colon + 1), auth.password);
    return userOk && passwordOk;
  }
  return false;
}

export function adminAuthHook(auth: AdminAuth) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isAdmin(request.headers.authorization, auth)) return;
    reply.header('WWW-Authenticate', CHALLENGE);
    throw new VigilError(
      'UNAUTHORIZED',
      'admin credentials are missing or wrong; send Authorization: Bearer <token> or HTTP Basic user and password',
    );
  };
}

/**
 * Viewer URLs (downloads, playlists, thumbnails): admin credentials in the
 * header, or the admin token as `?token=` for players that cannot set headers.
 * Signed viewer tokens replace the latter in the access-control work.
 */
export function viewerAuthHook(auth: AdminAuth) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isAdmin(request.headers.authorization, auth)) return;
    const token = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof token === 'string' && sameSecret(token, auth.token)) return;
    reply.header('WWW-Authenticate', CHALLENGE);
    throw new VigilError(
      'UNAUTHORIZED',
      'credentials are missing or wrong; send Authorization: Bearer <token>, HTTP Basic, or ?token=<token>',
    );
  };
}
