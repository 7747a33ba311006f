/** Shapes shared by several route families. */
import { Type } from 'typebox';
import { StreamNameSchema } from '../../config/stream-schema.js';

export const ErrorEnvelopeSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
    }),
  },
  { description: 'Every error: a code from the error table, a message naming the field and the fix' },
);

/** Error responses every admin route can give. */
export const adminErrorResponses = {
  400: ErrorEnvelopeSchema,
  401: ErrorEnvelopeSchema,
  404: ErrorEnvelopeSchema,
  409: ErrorEnvelopeSchema,
  500: ErrorEnvelopeSchema,
};

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
