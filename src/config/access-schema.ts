/**
 * The access sections of the config file: `users:` (name → role, password,
 * streams) and `access:` (play-token signing secret, proxy trust, session and
 * login limits). A password is given either as a scrypt hash
 * (`scrypt$N$r$p$salt$hash`, serve/access/passwords.ts) or in plain text;
 * plain ones are compared in constant time and never logged.
 */
import { Type, type Static } from 'typebox';
import { VigilError } from '../errors.js';

const RoleSchema = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')]);
export const USER_NAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
const StreamNameSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'a stream name' });

export const ConfigUserSchema = Type.Object(
  {
    role: RoleSchema,
    password: Type.String({
      minLength: 1,
      description: 'a scrypt hash (scrypt$N$r$p$salt$hash) or the plain password',
    }),
    streams: Type.Optional(Type.Array(StreamNameSchema, { description: 'the streams the user may see; absent: all' })),
  },
  { additionalProperties: false },
);

const AccessSectionSchema = Type.Object(
  {
    token_secret: Type.Optional(
      Type.String({ minLength: 32, description: 'play-token signing secret, at least 32 characters' }),
    ),
    trust_proxy: Type.Optional(
      Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))], {
        description: 'true, or the proxy addresses/CIDR blocks whose X-Forwarded-* headers are believed',
      }),
    ),
    session_ttl: Type.Optional(Type.Number({ minimum: 60, description: 'seconds a web UI session lasts (>= 60)' })),
    login_max_failures: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    login_window: Type.Optional(Type.Number({ minimum: 1, description: 'seconds the failures are counted over' })),
  },
  { additionalProperties: false },
);

/** Spread into ConfigFileSchema's properties: adds `users` and `access`. */
export const accessConfigProperties = {
  users: Type.Optional(Type.Record(Type.String(), ConfigUserSchema)),
  access: Type.Optional(AccessSectionSchema),
};

export type ConfigUserWire = Static<typeof ConfigUserSchema>;
type AccessSectionWire = Static<typeof AccessSectionSchema>;

export interface ConfigUser {
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  /** A scrypt hash or the plain password (see the file comment). */
  password: string;
  /** null: every stream. */
  streams: string[] | null;
}

export interface AccessConfig {
  users: ConfigUser[];
  tokenSecret: string | undefined;
  trustProxy: boolean | string[];
  sessionTtlSeconds: number;
  loginMaxFailures: number;
  loginWindowSeconds: number;
}

export function parseAccessConfig(
  users: Record<string, ConfigUserWire> | null | undefined,
  access: AccessSectionWire | undefined,
  label: string,
): AccessConfig {
  const parsedUsers = Object.entries(users ?? {}).map(([name, user]) => {
    if (!new RegExp(USER_NAME_PATTERN).test(name)) {
      throw new VigilError(
        'INVALID_CONFIG',
        `${label}: users.${name.slice(0, 80)}: a user name must be 1 to 64 of A-Z a-z 0-9 . _ @ -`,
        { field: `users.${name.slice(0, 80)}` },
      );
    }
    return { name, role: user.role, password: user.password, streams: user.streams ?? null };
  });
  const section = access ?? {};
  return {
    users: parsedUsers,
    tokenSecret: section.token_secret,
    trustProxy: section.trust_proxy ?? false,
    sessionTtlSeconds: section.session_ttl ?? 12 * 3600,
    loginMaxFailures: section.login_max_failures ?? 5,
    loginWindowSeconds: section.login_window ?? 300,
  };
}
