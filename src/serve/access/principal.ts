/**
 * Who a request acts for, attached by the access hook as `request.principal`
 * so handlers can filter lists by stream without knowing how it signed in.
 */
import type { FastifyRequest } from 'fastify';
import { VigilError } from '../../errors.js';
import type { PlayTokenClaims } from './play-tokens.js';
import type { Role } from './route-access.js';

export interface Principal {
  /** How the request proved who it is. */
  via: 'admin' | 'user' | 'key' | 'token' | 'session';
  /** The user name, `key:<id>`, or `token` for a play token. */
  name: string;
  role: Role;
  /** null: every stream. */
  streams: readonly string[] | null;
  /** Set for play tokens. */
  token?: PlayTokenClaims;
  /** Set for sessions: what state-changing requests must send as X-CSRF-Token. */
  csrfToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** null on public routes. */
    principal: Principal | null;
  }
}

export function principalAllowsStream(principal: Principal | null, stream: string): boolean {
  return principal !== null && (principal.streams === null || principal.streams.includes(stream));
}

/** For handlers whose stream comes from a body or a stored job rather than a route param. */
export function requireStreamAccess(request: FastifyRequest, stream: string, field = 'stream'): void {
  if (!principalAllowsStream(request.principal, stream)) {
    throw new VigilError('FORBIDDEN', `${field}: these credentials do not give access to stream "${stream}"`, {
      field,
    });
  }
}

/** Source URLs can carry camera passwords: only admins see them in full. */
export function maskUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
