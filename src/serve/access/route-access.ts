import type { FastifyRequest } from 'fastify';

export type Role = 'viewer' | 'operator' | 'admin';
export type TokenKind = 'live' | 'archive' | 'download';

/** Declared on every route as `config: { access: {...} }`; enforced in one app-level onRequest hook. */
export interface RouteAccess {
  /** 'public': no credentials (health, login, static web UI files). */
  role: Role | 'public';
  /** Route param that names the stream, checked against a user's/key's/token's stream list. */
  streamParam?: string;
  /** For viewer URLs: the play-token kind the request needs. */
  tokenKind?: 'live' | 'archive' | 'download';
  /**
   * For a route whose file name decides the kind (`/{name}/{file}`): the kinds
   * any of which a play token may carry. Wins over `tokenKind`; `undefined`
   * from it means the route will answer 404 anyway, so any kind may ask.
   */
  tokenKindsOf?: (request: FastifyRequest) => readonly TokenKind[] | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** viewer < operator < admin. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
