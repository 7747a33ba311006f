/**
 * Locks keep a range of recordings from retention: `POST` adds one, `GET`
 * lists them, `DELETE` removes the one given by `{from, duration}`. Each
 * answers with the stream's locks as they now are.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteAccess } from '../access/route-access.js';
import type { ArchiveApi, AppDeps } from '../deps.js';
import { adminErrorResponses, StreamParamsSchema, TimeRangeBodySchema, TimeRangeSchema } from '../schemas/common.js';
import { rangeToWire, requireStream } from '../stream-view.js';
import { parseTimeRange } from '../time-range.js';

const tags = ['dvr'];
const LocksSchema = Type.Object({ locks: Type.Array(TimeRangeSchema) });
const path = '/streamer/api/v3/streams/:name/dvr/locks';
const config = { access: { role: 'operator', streamParam: 'name' } } satisfies { access: RouteAccess };

async function listLocks(archive: ArchiveApi, name: string) {
  const locks = [...(await archive.listLocks(name))].sort((a, b) => a.fromUs - b.fromUs);
  return { locks: locks.map(rangeToWire) };
}

export const dvrLockRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { archive }) => {
  app.post(
    path,
    {
      config,
      schema: {
        tags,
        summary: 'Lock a range so retention keeps it',
        params: StreamParamsSchema,
        body: TimeRangeBodySchema,
        response: { 200: LocksSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { fromUs, durationUs } = parseTimeRange(request.body);
      await requireStream(archive, name);
      await archive.addLock(name, fromUs, durationUs);
      request.log.info({ stream: name, fromUs, durationUs }, 'range locked');
      return listLocks(archive, name);
    },
  );

  app.get(
    path,
    {
      config,
      schema: {
        tags,
        summary: 'Locked ranges (UTC, Unix seconds)',
        params: StreamParamsSchema,
        response: { 200: LocksSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      await requireStream(archive, request.params.name);
      return listLocks(archive, request.params.name);
    },
  );

  app.delete(
    path,
    {
      config,
      schema: {
        tags,
        summary: 'Unlock a range so retention may delete it',
        params: StreamParamsSchema,
        body: TimeRangeBodySchema,
        response: { 200: LocksSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { fromUs, durationUs } = parseTimeRange(request.body);
      await requireStream(archive, name);
      await archive.removeLock(name, fromUs, durationUs);
      request.log.info({ stream: name, fromUs, durationUs }, 'range unlocked');
      return listLocks(archive, name);
    },
  );
};
