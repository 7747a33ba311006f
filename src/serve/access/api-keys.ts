/**
 * API keys: 32 random bytes, shown once. Only their SHA-256 is stored: a key
 * has 256 bits of entropy, so a fast hash cannot be brute-forced and lookup
 * by hash stays one indexed query. The short id names a key in lists and
 * revocations without revealing it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { StoredApiKey } from './access-store.js';
import { ipAllowed } from './ip-allow.js';

const KEY_PREFIX = 'vgk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(KEY_PREFIX) && text.length > KEY_PREFIX.length + 20;
}

/** A new key and its id; the caller stores `hashApiKey(key)` and shows `key` once. */
export function generateApiKey(): { id: string; key: string } {
  return { id: randomBytes(6).toString('hex'), key: `${KEY_PREFIX}${randomBytes(32).toString('base64url')}` };
}

export type KeyRefusal = 'revoked' | 'expired' | 'ip';

/** Why a stored key may not be used now from `ip`, or undefined when it may. */
export function keyRefusal(
  record: Pick<StoredApiKey, 'revokedAtMs' | 'expiresAtMs' | 'ips'>,
  nowMs: number,
  ip: string,
): KeyRefusal | undefined {
  if (record.revokedAtMs !== null) return 'revoked';
  if (record.expiresAtMs !== null && nowMs >= record.expiresAtMs) return 'expired';
  if (record.ips.length > 0 && !ipAllowed(ip, record.ips)) return 'ip';
  return undefined;
}
