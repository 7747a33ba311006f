/**
 * The API's route families. Each route declares its role in
 * `config.access`; the app-level hook in serve/access/ enforces it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../deps.js';
import { dvrLockRoutes } from './dvr-locks.js';
import { dvrRangeRoutes } from './dvr-ranges.js';
import { eventRoutes } from './events.js';
import { exportRoutes } from './exports.js';
import { streamEventRoutes } from './stream-events.js';
import { streamRoutes } from './streams.js';

export const adminRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  await app.register(streamRoutes, deps);
  await app.register(dvrRangeRoutes, deps);
  await app.register(dvrLockRoutes, deps);
  await app.register(streamEventRoutes, deps);
  if (deps.exports !== undefined) {
    const withExports = { ...deps, exports: deps.exports };
    await app.register(exportRoutes, withExports);
    await app.register(eventRoutes, withExports);
  }
};
