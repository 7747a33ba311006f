/** `GET /metrics`: Prometheus text exposition of Vigil's private registry (operators and admins). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Telemetry } from '../../telemetry/index.js';
import type {} from '../access/route-access.js';
import { adminErrorResponses } from '../schemas/common.js';

export const metricsRoutes: FastifyPluginAsyncTypebox<{ telemetry: Telemetry }> = async (app, { telemetry }) => {
  app.get(
    '/metrics',
    {
      config: { access: { role: 'operator' } },
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus metrics: recording, archive, exports, HTTP, bytes served by origin, event sinks',
        produces: ['text/plain'],
        response: {
          200: Type.String({ description: 'Prometheus text format 0.0.4' }),
          ...adminErrorResponses,
        },
      },
    },
    async (_request, reply) => {
      const { text, contentType } = await telemetry.metrics.render();
      return reply.type(contentType).send(text);
    },
  );
};
