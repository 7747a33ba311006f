/**
 * Where run-time users and API keys live: the index database in a running
 * server (`databaseAccessStore`), memory in tests and apps built without one.
 */
import type { Kysely } from 'kysely';
import * as repo from '../../archive/index/access.repo.js';
import type { StoredApiKey, StoredUser, UserChanges } from '../../archive/index/access.repo.js';
import type { Database } from '../../archive/index/database.js';

export type { StoredApiKey, StoredUser, UserChanges };

export interface AccessStore {
  listUsers(): Promise<StoredUser[]>;
  findUser(name: string): Promise<StoredUser | undefined>;
  /** False when the name is taken. */
  insertUser(user: StoredUser): Promise<boolean>;
  updateUser(name: string, changes: UserChanges, nowMs: number): Promise<boolean>;
  deleteUser(name: string): Promise<boolean>;
  insertApiKey(key: StoredApiKey): Promise<void>;
  findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined>;
  listApiKeys(): Promise<StoredApiKey[]>;
  revokeApiKey(id: string, nowMs: number): Promise<boolean>;
}

/** The store over the index database. */
export function databaseAccessStore(db: Kysely<Database>): AccessStore {
  return {
    listUsers: () => repo.listUsers(db),
    findUser: (name) => repo.findUser(db, name),
    insertUser: (user) => repo.insertUser(db, user),
    updateUser: (name, changes, nowMs) => repo.updateUser(db, name, changes, nowMs),
    deleteUser: (name) => repo.deleteUser(db, name),
    insertApiKey: (key) => repo.insertApiKey(db, key),
    findApiKeyByHash: (hash) => repo.findApiKeyByHash(db, hash),
    listApiKeys: () => repo.listApiKeys(db),
    revokeApiKey: (id, nowMs) => repo.revokeApiKey(db, id, nowMs),
  };
}

export class MemoryAccessStore implements AccessStore {
  readonly #users = new Map<string, StoredUser>();
  readonly #keys = new Map<string, StoredApiKey>();

  async listUsers(): Promise<StoredUser[]> {
    return [...this.#users.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async findUser(name: string): Promise<StoredUser | undefined> {
    return this.#users.get(name);
  }

  async insertUser(user: StoredUser): Promise<boolean> {
    if (this.#users.has(user.name)) return false;
    this.#users.set(user.name, { ...user });
    return true;
  }

  async updateUser(name: string, changes: UserChanges, nowMs: number): Promise<boolean> {
    const user = this.#users.get(name);
    if (user === undefined) return false;
    this.#users.set(name, {
      ...user,
      updatedAtMs: nowMs,
      ...(changes.role === undefined ? {} : { role: changes.role }),
      ...(changes.streams === undefined ? {} : { streams: changes.streams }),
      ...(changes.passwordHash === undefined ? {} : { passwordHash: changes.passwordHash }),
    });
    return true;
  }

  async deleteUser(name: string): Promise<boolean> {
    return this.#users.delete(name);
  }

  async insertApiKey(key: StoredApiKey): Promise<void> {
    this.#keys.set(key.id, { ...key });
  }

  async findApiKeyByHash(hash: string): Promise<StoredApiKey | undefined> {
    return [...this.#keys.values()].find((k) => k.hash === hash);
  }

  async listApiKeys(): Promise<StoredApiKey[]> {
    return [...this.#keys.values()];
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    const key = this.#keys.get(id);
    if (key === undefined || key.revokedAtMs !== null) return false;
    this.#keys.set(id, { ...key, revokedAtMs: nowMs });
    return true;
  }
}
