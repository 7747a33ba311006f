/**
 * Builds the Fastify app from its dependencies. It never listens: the CLI's
 * runtime does that, and tests call `app.inject`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from './deps.js';
import { installErrorHandling } from './error-handler.js';
import { adminRoutes } from './routes/admin.js';
import { healthRoutes } from './routes/health.js';
import { mediaRoutes } from './routes/media/index.js';
import { statusPageRoutes } from './routes/status-page.js';
import { validatorCompiler } from './validation.js';

export type VigilApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Timeouts for `listen`; set here so the app and its server agree. */
export const SERVER_TIMEOUTS = {
  connectionTimeout: 30_000,
  keepAliveTimeout: 10_000,
  requestTimeout: 60_000,
} as const;

export function buildApp(deps: AppDeps): VigilApp {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // A line per request drowns the recorder's events (players poll); errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    ...SERVER_TIMEOUTS,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  void app.register(healthRoutes);
  void app.register(statusPageRoutes, deps);
  void app.register(adminRoutes, deps);
  if (deps.media !== undefined) void app.register(mediaRoutes, { ...deps, media: deps.media });
  return app;
}
