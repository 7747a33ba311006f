/**
 * `GET /streamer/api/v3/streams/{name}/dvr`: a stream's archive usage
 * (depth, bytes on disk, bytes locks keep, quota use), read from the index.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { VigilError } from '../../errors.js';
import type { Telemetry } from '../../telemetry/index.js';
import type {} from '../access/route-access.js';
import type { AppDeps } from '../deps.js';
import { adminErrorResponses, StreamParamsSchema } from '../schemas/common.js';
import { requireStream } from '../stream-view.js';

const Seconds = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

const DvrUsageSchema = Type.Object(
  {
    from: Seconds('oldest recorded instant, Unix seconds (null when nothing is recorded)'),
    to: Seconds('newest recorded instant, Unix seconds'),
    depth: Type.Number({ description: 'seconds from `from` to `to`, gaps included' }),
    segments: Type.Integer(),
    size_bytes: Type.Integer({ description: 'bytes of the indexed segment files' }),
    locked_bytes: Type.Integer({ description: 'bytes of segments a lock keeps from retention' }),
    locks: Type.Integer(),
    disk_limit: Type.Union([Type.Integer(), Type.Null()], { description: 'bytes (the stream’s, else the config’s)' }),
    quota_used: Type.Union([Type.Number(), Type.Null()], { description: 'size_bytes / disk_limit' }),
    expiration: Seconds('how long recordings are kept, seconds (null: for ever)'),
  },
  { additionalProperties: false },
);

export const dvrUsageRoutes: FastifyPluginAsyncTypebox<AppDeps & { telemetry: Telemetry }> = async (app, deps) => {
  app.get(
    '/streamer/api/v3/streams/:name/dvr',
    {
      config: { access: { role: 'operator', streamParam: 'name' } },
      schema: {
        tags: ['dvr'],
        summary: 'Archive usage: depth, size on disk, locked size, quota use',
        params: StreamParamsSchema,
        response: { 200: DvrUsageSchema, ...adminErrorResponses },
      },
    },
    async (request) => {
      await requireStream(deps.archive, request.params.name);
      const usage = await deps.telemetry.dvrUsage(request.params.name);
      if (usage === undefined) throw new VigilError('INTERNAL', 'archive usage is not available in this app');
      return usage;
    },
  );
};
