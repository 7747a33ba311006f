/**
 * The one place errors become HTTP replies: `{ "error": { code, message,
 * field? } }` with the status from the error table. Unexpected errors are
 * logged and answered without their details.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError, isVigilError } from '../errors.js';

const FASTIFY_CODES: Record<string, (err: FastifyError) => VigilError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new VigilError('PAYLOAD_TOO_LARGE', 'body: the request body is too large'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new VigilError('INVALID_ARGUMENT', 'body: not valid JSON', { field: 'body' }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new VigilError('INVALID_ARGUMENT', 'body: empty; send a JSON object or leave out Content-Type', { field: 'body' }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new VigilError('INVALID_ARGUMENT', 'content-type: not supported; send application/json', {
      field: 'content-type',
    }),
};

/** Maps anything thrown in a route to a VigilError. */
export function toVigilError(err: unknown): VigilError {
  if (isVigilError(err)) return err;
  const fastifyError = err as Partial<FastifyError>;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return mapped(fastifyError as FastifyError);
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const field = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body';
    return new VigilError('INVALID_ARGUMENT', `${field}: ${first?.message ?? 'invalid value'}`, { field });
  }
  const status = fastifyError.statusCode ?? 500;
  if (status === 404) return new VigilError('NOT_FOUND', fastifyError.message ?? 'not found');
  if (status >= 400 && status < 500) return new VigilError('INVALID_ARGUMENT', fastifyError.message ?? 'bad request');
  return new VigilError('INTERNAL', 'internal error; the server log has the details', { cause: err });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const vigil = toVigilError(err);
    if (vigil.code === 'INTERNAL' || vigil.status >= 500) {
      request.log.error({ err }, 'request failed');
    }
    return reply.status(vigil.status).send(vigil.toJSON());
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const vigil = new VigilError('NOT_FOUND', `no route for ${request.method} ${path}`);
    return reply.status(404).send(vigil.toJSON());
  });
}
