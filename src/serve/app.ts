/**
 * Builds the Fastify app from its dependencies. It never listens: the CLI's
 * runtime does that, and tests call `app.inject`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { defaultAccessService, installAccess } from './access/index.js';
import type { AppDeps } from './deps.js';
import { installErrorHandling } from './error-handler.js';
import { installOpenApi } from './openapi.js';
import { adminRoutes } from './routes/admin.js';
import { healthRoutes } from './routes/health.js';
import { mediaRoutes } from './routes/media/index.js';
import { telemetryRoutes } from './routes/telemetry.js';
import { webUiRoutes } from './routes/web-ui.js';
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
    ...(deps.trustProxy === undefined ? {} : { trustProxy: deps.trustProxy }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  // Before every route: the document is collected from routes as they are added.
  installOpenApi(app);
  installAccess(app, deps.access ?? defaultAccessService(deps.auth));
  if (deps.telemetry !== undefined) void app.register(telemetryRoutes, { ...deps, telemetry: deps.telemetry });
  void app.register(healthRoutes);
  void app.register(webUiRoutes);
  void app.register(adminRoutes, deps);
  if (deps.media !== undefined) void app.register(mediaRoutes, { ...deps, media: deps.media });
  return app;
}
