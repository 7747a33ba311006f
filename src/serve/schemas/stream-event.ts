/** Stream events on the wire: what `POST …/events` takes and what the events routes return. */
import { Type } from 'typebox';
import { StreamNameSchema } from '../../config/stream-schema.js';

const TimeValue = Type.Union([Type.Number(), Type.String()], {
  description: 'Unix seconds or ISO 8601 with a zone',
});
const Fraction = (description: string) =>
  Type.Number({ description: `${description}, a fraction of the picture (0..1)` });
const Seconds = (description: string) => Type.Number({ description });

const BoxBodySchema = Type.Object(
  {
    t: Type.Optional(
      Type.Union([Type.Number(), Type.String()], {
        description:
          'When the box appears (absolute: Unix seconds or ISO 8601), default the event start; shown until the next box or the end',
      }),
    ),
    x: Fraction('left edge'),
    y: Fraction('top edge'),
    w: Fraction('width'),
    h: Fraction('height'),
  },
  { additionalProperties: false },
);

export const EventBodySchema = Type.Object(
  {
    start: TimeValue,
    end: Type.Optional(TimeValue),
    duration: Type.Optional(
      Type.Union([Type.Number(), Type.String()], { description: 'seconds (>= 0), instead of end' }),
    ),
    label: Type.String({ description: 'What happened (`person`); the chapter title is `Alert: person`' }),
    severity: Type.String({ description: 'info, warning, alert or critical' }),
    boxes: Type.Optional(Type.Array(BoxBodySchema)),
  },
  { additionalProperties: false },
);

export const EventsQuerySchema = Type.Object(
  {
    from: TimeValue,
    to: Type.Optional(TimeValue),
    duration: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'seconds, instead of to' })),
  },
  { additionalProperties: false },
);

export const EventParamsSchema = Type.Object(
  { name: StreamNameSchema, id: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const EventSchema = Type.Object({
  id: Type.Integer(),
  stream: Type.String(),
  start: Seconds('Unix seconds (UTC)'),
  end: Seconds('Unix seconds (UTC)'),
  duration: Seconds('seconds'),
  label: Type.String(),
  severity: Type.String({ description: 'info, warning, alert or critical' }),
  boxes: Type.Array(
    Type.Object({
      t: Seconds('Unix seconds (UTC) the box appears'),
      x: Type.Number(),
      y: Type.Number(),
      w: Type.Number(),
      h: Type.Number(),
    }),
  ),
  created_at: Seconds('Unix seconds (UTC)'),
});

export const EventListSchema = Type.Object({ events: Type.Array(EventSchema) });
