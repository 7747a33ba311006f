/**
 * Web UI sessions, in memory: an id (the cookie) maps to the user it signed
 * in and its CSRF token. The user's role and streams are looked up again on
 * every request, so a change or a deletion applies at once. A restart signs
 * everyone out.
 */
import { randomBytes } from 'node:crypto';

export interface Session {
  user: string;
  csrfToken: string;
  expiresAtMs: number;
}

export class SessionTable {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  create(user: string): { id: string; session: Session } {
    this.#sweep();
    const id = randomBytes(32).toString('base64url');
    const session = { user, csrfToken: randomBytes(24).toString('base64url'), expiresAtMs: this.#now() + this.#ttlMs };
    this.#sessions.set(id, session);
    return { id, session };
  }

  get(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (this.#now() >= session.expiresAtMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  /** Signs a user out everywhere (deleted, or password changed). */
  deleteUser(user: string): void {
    for (const [id, session] of this.#sessions) if (session.user === user) this.#sessions.delete(id);
  }

  get maxAgeSeconds(): number {
    return Math.floor(this.#ttlMs / 1000);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (now >= session.expiresAtMs) this.#sessions.delete(id);
  }
}
