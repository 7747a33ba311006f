/**
 * `/api/v1/users` (admin): users created at run time, stored in the index.
 * Config-file users are listed but read-only. Passwords are stored as scrypt
 * hashes and never returned; changing one signs the user out everywhere.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { VigilError } from '../../errors.js';
import type { AccessService } from './access-service.js';
import type { StoredUser } from './access-store.js';
import { accessErrors, NewUserSchema, UserChangesSchema, UserParamsSchema, UserSchema } from './access-schemas.js';
import { hashPassword } from './passwords.js';
import type { Role } from './route-access.js';

const tags = ['access'];
const config = { access: { role: 'admin' as const } };

function userToWire(
  user: { name: string; role: Role; streams: readonly string[] | null },
  source: 'config' | 'api',
): Static<typeof UserSchema> {
  return { name: user.name, role: user.role, streams: user.streams === null ? null : [...user.streams], source };
}

export const userRoutes: FastifyPluginAsyncTypebox<{ service: AccessService }> = async (app, { service }) => {
  const { store } = service;

  const refuseConfigUser = (name: string) => {
    if (service.isConfigUser(name)) {
      throw new VigilError('CONFLICT', `user "${name}" is defined in the config file; change it there`, {
        field: 'name',
      });
    }
  };

  app.get(
    '/api/v1/users',
    {
      config,
      schema: {
        tags,
        summary: 'Users: from the config file and created through the API (never their passwords)',
        response: { 200: Type.Object({ users: Type.Array(UserSchema) }), ...accessErrors },
      },
    },
    async () => ({
      users: [
        ...service.configUsers().map((u) => userToWire(u, 'config')),
        ...(await store.listUsers()).map((u) => userToWire(u, 'api')),
      ],
    }),
  );

  app.post(
    '/api/v1/users',
    {
      config,
      schema: {
        tags,
        summary: 'Create a user with a role, a password and optionally a list of streams',
        body: NewUserSchema,
        response: { 201: UserSchema, ...accessErrors },
      },
    },
    async (request, reply) => {
      const { name, role, password, streams } = request.body;
      refuseConfigUser(name);
      const now = service.nowMs();
      const user: StoredUser = {
        name,
        role,
        streams: streams ?? null,
        passwordHash: await hashPassword(password),
        createdAtMs: now,
        updatedAtMs: now,
      };
      if (!(await store.insertUser(user))) {
        throw new VigilError('CONFLICT', `user "${name}" exists already; change it with PATCH`, { field: 'name' });
      }
      request.log.info({ user: name, role, by: request.principal?.name }, 'user created');
      return reply.code(201).send(userToWire(user, 'api'));
    },
  );

  app.patch(
    '/api/v1/users/:name',
    {
      config,
      schema: {
        tags,
        summary: "Change a user's role, streams or password",
        params: UserParamsSchema,
        body: UserChangesSchema,
        response: { 200: UserSchema, ...accessErrors },
      },
    },
    async (request) => {
      const { name } = request.params;
      refuseConfigUser(name);
      const { role, streams, password } = request.body;
      const changes = {
        ...(role === undefined ? {} : { role }),
        ...(streams === undefined ? {} : { streams }),
        ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
      };
      if (!(await store.updateUser(name, changes, service.nowMs()))) {
        throw new VigilError('NOT_FOUND', `no user "${name}"`, { field: 'name' });
      }
      if (password !== undefined) service.sessions.deleteUser(name);
      request.log.info({ user: name, role, by: request.principal?.name }, 'user changed');
      const user = await store.findUser(name);
      if (user === undefined) throw new VigilError('NOT_FOUND', `no user "${name}"`, { field: 'name' });
      return userToWire(user, 'api');
    },
  );

  app.delete(
    '/api/v1/users/:name',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a user; its sessions end at once',
        params: UserParamsSchema,
        response: { 204: Type.Null({ description: 'deleted' }), ...accessErrors },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      refuseConfigUser(name);
      if (!(await store.deleteUser(name))) throw new VigilError('NOT_FOUND', `no user "${name}"`, { field: 'name' });
      service.sessions.deleteUser(name);
      request.log.info({ user: name, by: request.principal?.name }, 'user deleted');
      return reply.code(204).send(null);
    },
  );
};
