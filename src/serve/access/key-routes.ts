/**
 * `/api/v1/keys` (admin): API keys with a role, optional streams, IP
 * allowlist and expiry. The key is in the create answer only; lists show its
 * id and settings. Revocation is checked on every request that uses a key.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { VigilError } from '../../errors.js';
import type { AccessService } from './access-service.js';
import type { StoredApiKey } from './access-store.js';
import { accessErrors, CreatedKeySchema, KeyParamsSchema, KeySchema, NewKeySchema } from './access-schemas.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import { checkIpEntry } from './ip-allow.js';

const tags = ['access'];
const config = { access: { role: 'admin' as const } };
const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

function keyToWire(key: StoredApiKey): Static<typeof KeySchema> {
  return {
    id: key.id,
    label: key.label,
    created_by: key.user,
    role: key.role,
    streams: key.streams,
    ips: key.ips,
    created_at: Math.floor(key.createdAtMs / 1000),
    expires_at: seconds(key.expiresAtMs),
    revoked_at: seconds(key.revokedAtMs),
  };
}

export const keyRoutes: FastifyPluginAsyncTypebox<{ service: AccessService }> = async (app, { service }) => {
  app.post(
    '/api/v1/keys',
    {
      config,
      schema: {
        tags,
        summary: 'Create an API key; the answer holds the key, shown this once',
        body: NewKeySchema,
        response: { 201: CreatedKeySchema, ...accessErrors },
      },
    },
    async (request, reply) => {
      const { role, streams, ips, expires_in: expiresIn, label } = request.body;
      const checkedIps = (ips ?? []).map((ip, i) => checkIpEntry(ip, `ips[${i}]`));
      const now = service.nowMs();
      const { id, key } = generateApiKey();
      const record: StoredApiKey = {
        id,
        hash: hashApiKey(key),
        user: request.principal?.name ?? 'admin',
        role,
        streams: streams ?? null,
        ips: checkedIps,
        label: label ?? '',
        createdAtMs: now,
        expiresAtMs: expiresIn === undefined ? null : now + expiresIn * 1000,
        revokedAtMs: null,
      };
      await service.store.insertApiKey(record);
      request.log.info({ id, role, by: record.user }, 'API key created');
      return reply.code(201).send({ ...keyToWire(record), key });
    },
  );

  app.get(
    '/api/v1/keys',
    {
      config,
      schema: {
        tags,
        summary: 'API keys (never the keys themselves), revoked ones included',
        response: { 200: Type.Object({ keys: Type.Array(KeySchema) }), ...accessErrors },
      },
    },
    async () => ({ keys: (await service.store.listApiKeys()).map(keyToWire) }),
  );

  app.delete(
    '/api/v1/keys/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke a key: the next request with it fails',
        params: KeyParamsSchema,
        response: { 204: Type.Null({ description: 'revoked' }), ...accessErrors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await service.store.revokeApiKey(id, service.nowMs()))) {
        throw new VigilError('NOT_FOUND', `no unrevoked API key ${id}`, { field: 'id' });
      }
      request.log.info({ id, by: request.principal?.name }, 'API key revoked');
      return reply.code(204).send(null);
    },
  );
};
