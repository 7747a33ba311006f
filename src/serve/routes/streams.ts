/**
 * Stream definitions: `PUT|GET|DELETE /streamer/api/v3/streams/:name` and the
 * list. A PUT saves the definition, then hands it to the recorder, which
 * starts, restarts or stops recording to match.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { StreamWireSchema, toStreamDefinition } from '../../config/stream-schema.js';
import { maskUrlCredentials, principalAllowsStream, type Principal } from '../access/principal.js';
import type {} from '../access/route-access.js';
import type { AppDeps } from '../deps.js';
import { adminErrorResponses, StreamParamsSchema } from '../schemas/common.js';
import { StreamDeletedSchema, StreamListSchema, StreamViewSchema } from '../schemas/stream.js';
import { findStream, requireStream, streamView, type StreamView } from '../stream-view.js';

const tags = ['streams'];

/** Source URLs can carry camera passwords: only admins see them. */
function forPrincipal(view: StreamView, principal: Principal | null): StreamView {
  if (principal?.role === 'admin') return view;
  return {
    ...view,
    url: maskUrlCredentials(view.url),
    ...(view.substream_url === undefined ? {} : { substream_url: maskUrlCredentials(view.substream_url) }),
  };
}

export const streamRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const { archive, recording } = deps;

  app.get(
    '/streamer/api/v3/streams',
    {
      config: { access: { role: 'viewer' } },
      schema: {
        tags,
        summary: 'List streams with their state',
        response: { 200: StreamListSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      const defs = [...(await archive.listStreams())]
        .filter((def) => principalAllowsStream(request.principal, def.name))
        .sort((a, b) => a.name.localeCompare(b.name));
      const views = await Promise.all(defs.map((def) => streamView(def, archive, recording)));
      return { streams: views.map((view) => forPrincipal(view, request.principal)) };
    },
  );

  app.put(
    '/streamer/api/v3/streams/:name',
    {
      config: { access: { role: 'admin', streamParam: 'name' } },
      schema: {
        tags,
        summary: 'Create a stream or change the settings the body names',
        params: StreamParamsSchema,
        body: StreamWireSchema,
        response: { 200: StreamViewSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      const { name } = request.params;
      const existing = await findStream(archive, name);
      const def = toStreamDefinition(name, request.body, existing, { defaultRoot: deps.defaultDvrRoot });
      await archive.saveStream(def);
      await recording.apply(def);
      request.log.info({ stream: name, created: existing === undefined }, 'stream saved');
      return streamView(def, archive, recording);
    },
  );

  app.get(
    '/streamer/api/v3/streams/:name',
    {
      config: { access: { role: 'viewer', streamParam: 'name' } },
      schema: {
        tags,
        summary: 'A stream: settings, recorder state and archive extent',
        params: StreamParamsSchema,
        response: { 200: StreamViewSchema, ...adminErrorResponses },
      },
    },
    async (request) =>
      forPrincipal(
        await streamView(await requireStream(archive, request.params.name), archive, recording),
        request.principal,
      ),
  );

  app.delete(
    '/streamer/api/v3/streams/:name',
    {
      config: { access: { role: 'admin', streamParam: 'name' } },
      schema: {
        tags,
        summary: 'Stop recording and forget a stream; its archive is kept unless purge=true',
        params: StreamParamsSchema,
        querystring: Type.Object(
          { purge: Type.Optional(Type.Boolean({ description: 'true or false (true also deletes the recordings)' })) },
          { additionalProperties: false },
        ),
        response: { 200: StreamDeletedSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      const { name } = request.params;
      const purge = request.query.purge ?? false;
      await requireStream(archive, name);
      await recording.remove(name);
      await archive.deleteStream(name, { purge });
      request.log.info({ stream: name, purge }, 'stream deleted');
      return { name, deleted: true, purged: purge };
    },
  );
};
