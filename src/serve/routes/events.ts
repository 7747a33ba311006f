/**
 * Server-Sent Events: `GET /api/v1/events` streams export job changes as they
 * happen (`export.state` with the whole job, `export.progress` with step and
 * percent, `export.removed`). A comment line every 15 s keeps proxies from
 * closing an idle stream; a slow reader gets the latest progress, not a backlog.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ExportJobs } from '../../export/jobs/export-jobs.js';
import type { ExportJobEvent } from '../../export/queue/index.js';
import type { ExportJobSpec } from '../../export/request/index.js';
import { usToIso } from '../../time.js';
import type {} from '../access/route-access.js';
import type { AppDeps } from '../deps.js';
import { adminErrorResponses, contentResponse } from '../schemas/common.js';
import { jobToWire } from './exports.js';

const HEARTBEAT_MS = 15_000;

function toSse(event: ExportJobEvent<ExportJobSpec>): string {
  const at = usToIso(event.atUs);
  const [name, data] =
    event.type === 'state'
      ? ['export.state', { at, previous_state: event.previous ?? null, job: jobToWire(event.job) }]
      : event.type === 'progress'
        ? ['export.progress', { at, id: event.id, step: event.step, percent: event.percent }]
        : ['export.removed', { at, id: event.id }];
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const eventRoutes: FastifyPluginAsyncTypebox<AppDeps & { exports: ExportJobs }> = async (app, { exports }) => {
  app.get(
    '/api/v1/events',
    {
      config: { access: { role: 'operator' } },
      schema: {
        tags: ['exports'],
        summary: 'Export job changes as Server-Sent Events',
        response: {
          200: contentResponse(
            'Server-Sent Events: `export.state`, `export.progress`, `export.removed`, each `data:` a JSON object',
            ['text/event-stream'],
            false,
          ),
          ...adminErrorResponses,
        },
      },
    },
    (request, reply) => {
      const closed = new AbortController();
      reply.raw.once('close', () => closed.abort());
      const events = exports.queue.subscribe({ signal: closed.signal });
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      reply.raw.write(': vigil events\n\n');
      const heartbeat = setInterval(() => reply.raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      void (async () => {
        try {
          for await (const event of events) reply.raw.write(toSse(event));
        } catch (err) {
          if (!closed.signal.aborted) request.log.error({ err }, 'event stream failed');
        } finally {
          clearInterval(heartbeat);
          reply.raw.end();
        }
      })();
    },
  );
};
