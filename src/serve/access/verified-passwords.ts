/**
 * Remembers, for a few minutes, that a password matched a stored scrypt hash.
 *
 * HTTP Basic sends the password with every request, and scrypt costs tens of
 * milliseconds of CPU by design: a CLI or a script polling job progress with
 * Basic credentials would spend a core on hashing. A match is remembered as
 * an HMAC of (stored hash, password) under a key that lives only in this
 * process, so a changed password (a new hash) is never matched by the old
 * one, and the table gives nothing that is quicker to brute-force than the
 * key itself. Only successes are kept; failures always pay the full scrypt
 * and go through the login limiter.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface VerifiedPasswordsOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class VerifiedPasswords {
  readonly #key = randomBytes(32);
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Insertion order is expiry order (every entry gets the same ttl), so the first entry is the oldest. */
  readonly #expiries = new Map<string, number>();

  constructor(options: VerifiedPasswordsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** True when this password matched this exact stored hash within the last ttl. */
  has(storedHash: string, password: string): boolean {
    const id = this.#id(storedHash, password);
    const expiry = this.#expiries.get(id);
    if (expiry === undefined) return false;
    if (expiry > this.#now()) return true;
    this.#expiries.delete(id);
    return false;
  }

  remember(storedHash: string, password: string): void {
    const id = this.#id(storedHash, password);
    this.#expiries.delete(id);
    this.#expiries.set(id, this.#now() + this.#ttlMs);
    for (const oldest of this.#expiries.keys()) {
      if (this.#expiries.size <= this.#maxEntries) break;
      this.#expiries.delete(oldest);
    }
  }

  #id(storedHash: string, password: string): string {
    return createHmac('sha256', this.#key).update(storedHash).update('\0').update(password).digest('base64url');
  }
}
