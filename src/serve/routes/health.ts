/** `GET /healthz`: no auth, for load balancers and container probes. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type {} from '../access/route-access.js';
import { errorResponses } from '../schemas/common.js';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      config: { access: { role: 'public' } },
      schema: {
        tags: ['health'],
        summary: 'Liveness probe',
        response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errorResponses },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
};
