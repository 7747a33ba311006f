/**
 * Usage metrics and event sinks in the app: a response hook for every route
 * (request counts and latencies by route pattern; viewer URLs answered
 * without a body still get their `web_request`), `/metrics` and the archive
 * usage route. Registered at the app's root level (Fastify's `skip-override`,
 * what fastify-plugin sets) so the hook sees every route, not just its own.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Telemetry } from '../../telemetry/index.js';
import type { AppDeps } from '../deps.js';
import { dvrUsageRoutes } from './dvr-usage.js';
import { reportUnservedMedia } from './media/served-usage.js';
import { metricsRoutes } from './metrics.js';

const UNMATCHED_ROUTE = 'unmatched';

const plugin: FastifyPluginAsyncTypebox<AppDeps & { telemetry: Telemetry }> = async (app, deps) => {
  const { telemetry } = deps;
  app.addHook('onResponse', async (request, reply) => {
    // The pattern, not the URL: one series per route, whatever the stream names and times.
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    telemetry.metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    reportUnservedMedia(request, reply, deps.media?.onServed);
  });
  await app.register(metricsRoutes, { telemetry });
  await app.register(dvrUsageRoutes, deps);
};

export const telemetryRoutes = Object.assign(plugin, { [Symbol.for('skip-override')]: true });
