/**
 * Recorded ranges: `GET …/dvr/ranges` lists them in Unix seconds, `DELETE`
 * removes the recordings inside `{from, duration}`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { VigilError } from '../../errors.js';
import type {} from '../access/route-access.js';
import type { ArchiveApi, AppDeps } from '../deps.js';
import { adminErrorResponses, StreamParamsSchema, TimeRangeBodySchema, TimeRangeSchema } from '../schemas/common.js';
import { findStream, rangeToWire } from '../stream-view.js';
import { parseTimeRange } from '../time-range.js';

const tags = ['dvr'];
const RangesSchema = Type.Object({ ranges: Type.Array(TimeRangeSchema) });

async function listRanges(archive: ArchiveApi, name: string, variant: 'main' | 'sub' = 'main') {
  const ranges = [...(await archive.ranges(name, variant))].sort((a, b) => a.fromUs - b.fromUs);
  return { ranges: ranges.map(rangeToWire) };
}

/** A stream with no definition still has ranges while its archive is kept. */
async function requireStreamOrArchive(archive: ArchiveApi, name: string): Promise<void> {
  if (await findStream(archive, name)) return;
  if ((await archive.ranges(name)).length > 0) return;
  throw new VigilError('STREAM_NOT_FOUND', `stream "${name}" does not exist and has no recordings`);
}

export const dvrRangeRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { archive }) => {
  app.get(
    '/streamer/api/v3/streams/:name/dvr/ranges',
    {
      config: { access: { role: 'viewer', streamParam: 'name' } },
      schema: {
        tags,
        summary: 'Recorded ranges (UTC, Unix seconds)',
        params: StreamParamsSchema,
        querystring: Type.Object(
          { variant: Type.Optional(Type.Enum(['main', 'sub'], { description: 'one of main, sub' })) },
          { additionalProperties: false },
        ),
        response: { 200: RangesSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      await requireStreamOrArchive(archive, request.params.name);
      return listRanges(archive, request.params.name, request.query.variant);
    },
  );

  app.delete(
    '/streamer/api/v3/streams/:name/dvr/ranges',
    {
      config: { access: { role: 'admin', streamParam: 'name' } },
      schema: {
        tags,
        summary: 'Delete the recordings inside a range; answers with the ranges left',
        params: StreamParamsSchema,
        body: TimeRangeBodySchema,
        response: { 200: RangesSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { fromUs, durationUs } = parseTimeRange(request.body);
      await requireStreamOrArchive(archive, name);
      await archive.deleteRange(name, fromUs, durationUs);
      request.log.info({ stream: name, fromUs, durationUs }, 'range deleted');
      return listRanges(archive, name);
    },
  );
};
