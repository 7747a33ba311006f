/** Shapes shared by several route families. */
import { Type } from 'typebox';
import { StreamNameSchema } from '../../config/stream-schema.js';

/** Every error reply, from the one error handler (and the access hook): a code from the error table and a message naming the field and the fix. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'from the error table (docs/errors.md), e.g. INVALID_ARGUMENT' }),
        message: Type.String(),
        field: Type.Optional(Type.String({ description: 'the request field that is wrong, as a path' })),
      },
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    description: 'An error: a code from the error table, a message naming the field and the fix',
  },
);
/** The former name of {@link ErrorBody}. */
export const ErrorEnvelopeSchema = ErrorBody;

/** Any 4xx/5xx: the status ranges, so a route documents (and serializes) every error with one shape. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody };

/** Error responses every admin route can give: the usual statuses by name, any other by range. */
export const adminErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  500: ErrorBody,
  ...errorResponses,
};

/**
 * A response that is not JSON (media, playlists, text): only documented, never
 * serialized, since Fastify sends strings, buffers and streams as they are.
 */
export function contentResponse(description: string, mediaTypes: readonly string[], binary = true) {
  const schema = binary ? { type: 'string', format: 'binary' } : { type: 'string' };
  return { description, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema }])) };
}

/** A reply with no body (a redirect, 304 Not Modified). */
export function emptyResponse(description: string) {
  return { description, type: 'null' };
}

export const StreamParamsSchema = Type.Object({ name: StreamNameSchema }, { additionalProperties: false });

const TimeValue = Type.Union([Type.Number(), Type.String()], {
  description: 'Unix seconds or ISO 8601 with a zone',
});
const DurationValue = Type.Union([Type.Number(), Type.String()], { description: 'seconds (> 0)' });

/** `{from, duration}` as the reference DVR API takes it for locks and range deletes. */
export const TimeRangeBodySchema = Type.Object(
  { from: TimeValue, duration: DurationValue },
  { additionalProperties: false },
);

export const TimeRangeSchema = Type.Object({
  from: Type.Number({ description: 'Unix seconds (UTC)' }),
  duration: Type.Number({ description: 'seconds' }),
});

/** A file served with byte ranges and validators (send-virtual-file.ts): whole, partial, or not modified. */
export function fileResponses(description: string, mediaTypes: readonly string[]) {
  return {
    200: contentResponse(description, mediaTypes),
    206: contentResponse(`${description}: the byte range the Range header asks`, mediaTypes),
    304: emptyResponse('Not modified since the ETag or date the request names'),
  };
}
