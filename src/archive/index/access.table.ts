import type { Insertable, Selectable } from 'kysely';

export interface AccessUsersTable {
  name: string;
  /** viewer, operator or admin. */
  role: string;
  /** JSON array of stream names; null: every stream. */
  streams: string | null;
  /** `scrypt$N$r$p$salt$hash` (serve/access/passwords.ts). */
  password_hash: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface ApiKeysTable {
  id: string;
  /** Hex SHA-256 of the key; the key itself is never stored. */
  hash: string;
  /** Who created it. */
  created_by: string;
  role: string;
  streams: string | null;
  /** JSON array of IP addresses or CIDR blocks; empty: anywhere. */
  ips: string;
  label: string;
  created_at_ms: number;
  expires_at_ms: number | null;
  revoked_at_ms: number | null;
}

export type AccessUserRow = Selectable<AccessUsersTable>;
export type NewAccessUserRow = Insertable<AccessUsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
