/**
 * Access control: roles, users, API keys, play tokens and sessions, enforced
 * by one app-level hook from each route's `config.access` (route-access.ts).
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { accessHook } from './access-hook.js';
import { AccessService } from './access-service.js';
import { MemoryAccessStore } from './access-store.js';
import { keyRoutes } from './key-routes.js';
import { sessionRoutes } from './session-routes.js';
import { tokenRoutes } from './token-routes.js';
import { userRoutes } from './user-routes.js';
import type { AdminAuth } from '../deps.js';

export { AccessService, type AccessServiceOptions } from './access-service.js';
export { databaseAccessStore, MemoryAccessStore, type AccessStore } from './access-store.js';
export { loadTokenSecret } from './token-secret.js';
export { principalAllowsStream, requireStreamAccess, maskUrlCredentials, type Principal } from './principal.js';
export { SESSION_COOKIE, CSRF_HEADER } from './access-hook.js';

/** `?token=<secret>` in a URL, for logs: the value becomes `***`. */
export function redactTokenInUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&]token=)[^&#]*/gi, '$1***');
}
export type { Role, RouteAccess, TokenKind } from './route-access.js';

/** Without a configured service: the admin credentials only, users and keys in memory, a per-process token secret. */
export function defaultAccessService(admin: AdminAuth): AccessService {
  return new AccessService({ admin, store: new MemoryAccessStore(), tokenSecret: randomBytes(32) });
}

/**
 * Installs on the root instance (not inside `register`), so the hook and the
 * `principal` decorator cover every route, including those added later.
 */
export function installAccess(app: FastifyInstance, service: AccessService): void {
  void app.register(fastifyCookie);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', accessHook(service));
  void app.register(sessionRoutes, { service });
  void app.register(userRoutes, { service });
  void app.register(keyRoutes, { service });
  void app.register(tokenRoutes, { service });
}
