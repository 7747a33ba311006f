/**
 * Events on a stream (a detection, an alarm): `POST` records one, `GET` lists
 * those overlapping a range, `DELETE …/{id}` removes one. MP4 exports show
 * them as chapters; transcodes that ask for figures draw their boxes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { parseSeverity } from '../../archive/event-check.js';
import type { NewStreamEvent, StreamEventRecord } from '../../archive/types.js';
import { invalidArgument, VigilError } from '../../errors.js';
import { parseDurationToUs, parseTimeToUs, usToSeconds } from '../../time.js';
import type { RouteAccess } from '../access/route-access.js';
import type { AppDeps } from '../deps.js';
import { adminErrorResponses, StreamParamsSchema } from '../schemas/common.js';
import {
  EventBodySchema,
  EventListSchema,
  EventParamsSchema,
  EventSchema,
  EventsQuerySchema,
} from '../schemas/stream-event.js';
import { requireStream } from '../stream-view.js';

const tags = ['events'];
const path = '/api/v1/streams/:name/events';
const config = { access: { role: 'operator', streamParam: 'name' } } satisfies { access: RouteAccess };

/** The end of a range given by an end (`endField`) or a duration, exactly one of them. */
function endOfRange(
  startUs: number,
  end: unknown,
  duration: unknown,
  endField: 'end' | 'to',
  startField: 'start' | 'from',
): number {
  if (end !== undefined && duration !== undefined) {
    throw invalidArgument('duration', `give ${endField} or duration, not both`);
  }
  if (end !== undefined) {
    const endUs = parseTimeToUs(end, endField);
    if (endUs < startUs) {
      throw invalidArgument(
        endField,
        `expected a time at or after ${startField}, got ${usToSeconds(endUs - startUs)} s before it`,
      );
    }
    return endUs;
  }
  if (duration !== undefined) return startUs + parseDurationToUs(duration, 'duration');
  throw invalidArgument(endField, `expected ${endField} (Unix seconds or ISO 8601) or duration (seconds)`);
}

function eventFromBody(stream: string, body: Static<typeof EventBodySchema>): NewStreamEvent {
  const startUs = parseTimeToUs(body.start, 'start');
  const endUs = endOfRange(startUs, body.end, body.duration, 'end', 'start');
  return {
    stream,
    startUs,
    endUs,
    label: body.label,
    severity: parseSeverity(body.severity),
    boxes: (body.boxes ?? []).map((b, i) => ({
      tUs: b.t === undefined ? startUs : parseTimeToUs(b.t, `boxes[${i}].t`),
      x: b.x,
      y: b.y,
      w: b.w,
      h: b.h,
    })),
  };
}

export function eventToWire(e: StreamEventRecord): Static<typeof EventSchema> {
  return {
    id: e.id,
    stream: e.stream,
    start: usToSeconds(e.startUs),
    end: usToSeconds(e.endUs),
    duration: usToSeconds(e.endUs - e.startUs),
    label: e.label,
    severity: e.severity,
    boxes: e.boxes.map((b) => ({ t: usToSeconds(b.tUs), x: b.x, y: b.y, w: b.w, h: b.h })),
    created_at: usToSeconds(e.createdAtUs),
  };
}

export const streamEventRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { archive }) => {
  app.post(
    path,
    {
      config,
      schema: {
        tags,
        summary: 'Record an event (chapters in MP4 exports, boxes in transcodes with figures)',
        params: StreamParamsSchema,
        body: EventBodySchema,
        response: { 201: EventSchema, ...adminErrorResponses },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const event = eventFromBody(name, request.body);
      await requireStream(archive, name);
      const saved = await archive.addEvent(event);
      request.log.info({ stream: name, id: saved.id, severity: saved.severity }, 'event recorded');
      return reply.code(201).send(eventToWire(saved));
    },
  );

  app.get(
    path,
    {
      config,
      schema: {
        tags,
        summary: 'Events overlapping [from, to) (or from + duration), ordered by start',
        params: StreamParamsSchema,
        querystring: EventsQuerySchema,
        response: { 200: EventListSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      const { name } = request.params;
      const fromUs = parseTimeToUs(request.query.from, 'from');
      const toUs = endOfRange(fromUs, request.query.to, request.query.duration, 'to', 'from');
      await requireStream(archive, name);
      return { events: (await archive.listEvents(name, fromUs, toUs)).map(eventToWire) };
    },
  );

  app.delete(
    `${path}/:id`,
    {
      config,
      schema: {
        tags,
        summary: 'Remove an event',
        params: EventParamsSchema,
        response: { 204: Type.Null({ description: 'removed' }), ...adminErrorResponses },
      },
    },
    async (request, reply) => {
      const { name, id } = request.params;
      await requireStream(archive, name);
      if (!(await archive.deleteEvent(name, id))) {
        throw new VigilError('NOT_FOUND', `stream "${name}" has no event ${id}`);
      }
      request.log.info({ stream: name, id }, 'event removed');
      return reply.code(204).send(null);
    },
  );
};
