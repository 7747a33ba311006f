/** Wire shapes of the access routes (users, keys, play tokens, sessions). */
import { Type } from 'typebox';
import { USER_NAME_PATTERN } from '../../config/access-schema.js';
import { StreamNameSchema } from '../../config/stream-schema.js';
import { ErrorEnvelopeSchema } from '../schemas/common.js';

export const RoleSchema = Type.Enum(['viewer', 'operator', 'admin'], { description: 'viewer, operator or admin' });
export const StreamsSchema = Type.Union([Type.Array(StreamNameSchema), Type.Null()], {
  description: 'the streams allowed; null: all',
});
export const UserNameSchema = Type.String({
  pattern: USER_NAME_PATTERN,
  description: '1 to 64 of A-Z a-z 0-9 . _ @ -',
});
const PasswordSchema = Type.String({ minLength: 8, maxLength: 1024, description: 'at least 8 characters' });
export const TokenKindSchema = Type.Enum(['live', 'archive', 'download']);

export const accessErrors = {
  400: ErrorEnvelopeSchema,
  401: ErrorEnvelopeSchema,
  403: ErrorEnvelopeSchema,
  404: ErrorEnvelopeSchema,
  409: ErrorEnvelopeSchema,
  429: ErrorEnvelopeSchema,
};

export const UserSchema = Type.Object({
  name: Type.String(),
  role: RoleSchema,
  streams: StreamsSchema,
  source: Type.Enum(['config', 'api'], { description: 'config-file users cannot be changed through the API' }),
});

export const NewUserSchema = Type.Object(
  { name: UserNameSchema, role: RoleSchema, password: PasswordSchema, streams: Type.Optional(StreamsSchema) },
  { additionalProperties: false },
);

export const UserChangesSchema = Type.Object(
  { role: Type.Optional(RoleSchema), password: Type.Optional(PasswordSchema), streams: Type.Optional(StreamsSchema) },
  { additionalProperties: false },
);

export const UserParamsSchema = Type.Object({ name: UserNameSchema }, { additionalProperties: false });

export const KeySchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  created_by: Type.String(),
  role: RoleSchema,
  streams: StreamsSchema,
  ips: Type.Array(Type.String()),
  created_at: Type.Number({ description: 'Unix seconds' }),
  expires_at: Type.Union([Type.Number(), Type.Null()], { description: 'Unix seconds; null: never' }),
  revoked_at: Type.Union([Type.Number(), Type.Null()], { description: 'Unix seconds; null: not revoked' }),
});

export const CreatedKeySchema = Type.Object({
  ...KeySchema.properties,
  key: Type.String({ description: 'the key itself: shown this once, never again' }),
});

export const NewKeySchema = Type.Object(
  {
    role: RoleSchema,
    streams: Type.Optional(StreamsSchema),
    ips: Type.Optional(Type.Array(Type.String(), { description: 'IP addresses or CIDR blocks; absent: anywhere' })),
    expires_in: Type.Optional(Type.Integer({ minimum: 1, description: 'seconds until the key stops working' })),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const KeyParamsSchema = Type.Object(
  { id: Type.String({ pattern: '^[0-9a-f]{12}$', description: 'a key id' }) },
  { additionalProperties: false },
);

export const MAX_TOKEN_SECONDS = 7 * 24 * 3600;

export const NewTokenSchema = Type.Object(
  {
    stream: StreamNameSchema,
    kinds: Type.Array(TokenKindSchema, { minItems: 1, maxItems: 3, uniqueItems: true }),
    expires_in: Type.Integer({ minimum: 1, maximum: MAX_TOKEN_SECONDS, description: 'seconds (at most 7 days)' }),
    ip: Type.Optional(Type.String({ description: 'the one client IP address the token works from' })),
  },
  { additionalProperties: false },
);

export const TokenSchema = Type.Object({
  token: Type.String(),
  expires_at: Type.Number({ description: 'Unix seconds' }),
});

export const LoginSchema = Type.Object(
  { user: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const SessionSchema = Type.Object({
  user: Type.String(),
  role: RoleSchema,
  streams: StreamsSchema,
  csrf_token: Type.String({ description: 'send as X-CSRF-Token on every request other than GET/HEAD' }),
});
