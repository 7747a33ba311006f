/**
 * Run-time users and API keys. Plain query-builder calls only, so the same
 * code runs on SQLite and PostgreSQL. Rows become domain objects in
 * `userRowToUser` / `keyRowToKey`.
 */
import type { Kysely } from 'kysely';
import type { AccessUserRow, ApiKeyRow } from './access.table.js';
import type { Database } from './database.js';

export type AccessRole = 'viewer' | 'operator' | 'admin';

export interface StoredUser {
  name: string;
  role: AccessRole;
  streams: string[] | null;
  passwordHash: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface StoredApiKey {
  id: string;
  hash: string;
  user: string;
  role: AccessRole;
  streams: string[] | null;
  ips: string[];
  label: string;
  createdAtMs: number;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
}

function toRole(text: string): AccessRole {
  // An unknown role read back is treated as the least privileged, never the most.
  return text === 'admin' || text === 'operator' ? text : 'viewer';
}

function toStreams(json: string | null): string[] | null {
  return json === null ? null : (JSON.parse(json) as string[]);
}

export function userRowToUser(row: AccessUserRow): StoredUser {
  return {
    name: row.name,
    role: toRole(row.role),
    streams: toStreams(row.streams),
    passwordHash: row.password_hash,
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

export function keyRowToKey(row: ApiKeyRow): StoredApiKey {
  return {
    id: row.id,
    hash: row.hash,
    user: row.created_by,
    role: toRole(row.role),
    streams: toStreams(row.streams),
    ips: JSON.parse(row.ips) as string[],
    label: row.label,
    createdAtMs: Number(row.created_at_ms),
    expiresAtMs: row.expires_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}

export async function listUsers(db: Kysely<Database>): Promise<StoredUser[]> {
  const rows = await db.selectFrom('access_users').selectAll().orderBy('name').execute();
  return rows.map(userRowToUser);
}

export async function findUser(db: Kysely<Database>, name: string): Promise<StoredUser | undefined> {
  const row = await db.selectFrom('access_users').selectAll().where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : userRowToUser(row);
}

/** False when a user of that name exists already. */
export async function insertUser(db: Kysely<Database>, user: StoredUser): Promise<boolean> {
  const result = await db
    .insertInto('access_users')
    .values({
      name: user.name,
      role: user.role,
      streams: user.streams === null ? null : JSON.stringify(user.streams),
      password_hash: user.passwordHash,
      created_at_ms: user.createdAtMs,
      updated_at_ms: user.updatedAtMs,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface UserChanges {
  role?: AccessRole;
  /** null: every stream. */
  streams?: string[] | null;
  passwordHash?: string;
}

/** False when no user has that name. */
export async function updateUser(
  db: Kysely<Database>,
  name: string,
  changes: UserChanges,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('access_users')
    .set({
      updated_at_ms: nowMs,
      ...(changes.role === undefined ? {} : { role: changes.role }),
      ...(changes.streams === undefined
        ? {}
        : { streams: changes.streams === null ? null : JSON.stringify(changes.streams) }),
      ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash }),
    })
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteUser(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await db.deleteFrom('access_users').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertApiKey(db: Kysely<Database>, key: StoredApiKey): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      hash: key.hash,
      created_by: key.user,
      role: key.role,
      streams: key.streams === null ? null : JSON.stringify(key.streams),
      ips: JSON.stringify(key.ips),
      label: key.label,
      created_at_ms: key.createdAtMs,
      expires_at_ms: key.expiresAtMs,
      revoked_at_ms: key.revokedAtMs,
    })
    .execute();
}

export async function findApiKeyByHash(db: Kysely<Database>, hash: string): Promise<StoredApiKey | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row === undefined ? undefined : keyRowToKey(row);
}

export async function listApiKeys(db: Kysely<Database>): Promise<StoredApiKey[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at_ms').orderBy('id').execute();
  return rows.map(keyRowToKey);
}

/** False when no unrevoked key has that id. */
export async function revokeApiKey(db: Kysely<Database>, id: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at_ms: nowMs })
    .where('id', '=', id)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
