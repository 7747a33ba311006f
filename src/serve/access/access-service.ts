/**
 * Turns credentials into a Principal: the config's admin (token, or user and
 * password), users from the config file and the store (passwords), API keys,
 * play tokens and sessions. Every secret comparison is constant-time; every
 * key and user is looked up again per request, so a revocation or deletion
 * applies to the next request.
 */
import { randomBytes } from 'node:crypto';
import { sameSecret } from '../../secret-compare.js';
import type { ConfigUser } from '../../config/access-schema.js';
import { VigilError } from '../../errors.js';
import type { AdminAuth } from '../deps.js';
import type { AccessStore } from './access-store.js';
import { hashApiKey, keyRefusal, looksLikeApiKey } from './api-keys.js';
import { hashPassword, isPasswordHash, verifyPassword } from './passwords.js';
import { signPlayToken, verifyPlayToken, type PlayTokenCheck, type PlayTokenClaims } from './play-tokens.js';
import type { Principal } from './principal.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
import type { Role } from './route-access.js';
import { SessionTable } from './sessions.js';
import { VerifiedPasswords } from './verified-passwords.js';

/** The user name that signs in with the admin token when no admin user is configured. */
export const TOKEN_SIGN_IN_USER = 'admin';

export interface AccessServiceOptions {
  admin: AdminAuth;
  /** Users from the config file (read-only at run time). */
  users?: readonly ConfigUser[];
  store: AccessStore;
  tokenSecret: Buffer;
  sessionTtlSeconds?: number;
  loginMaxFailures?: number;
  loginWindowSeconds?: number;
  /** ms clock (tests inject one). */
  now?: () => number;
}

/** Too many failed logins: answered 429 with Retry-After. */
export class LoginThrottled extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-ins; try again in ${retryAfterSeconds} s`);
  }
}

interface KnownUser {
  name: string;
  role: Role;
  streams: readonly string[] | null;
  /** A scrypt hash, or (config file only) the plain password. */
  password: string;
  source: 'admin' | 'config' | 'store';
}

const unauthorized = (message: string) => new VigilError('UNAUTHORIZED', message);

export class AccessService {
  readonly store: AccessStore;
  readonly sessions: SessionTable;
  readonly #admin: AdminAuth;
  readonly #configUsers: Map<string, ConfigUser>;
  readonly #secret: Buffer;
  readonly #limiter: SlidingWindowLimiter;
  readonly #now: () => number;
  readonly #verified: VerifiedPasswords;

  constructor(options: AccessServiceOptions) {
    this.store = options.store;
    this.#admin = options.admin;
    this.#configUsers = new Map((options.users ?? []).map((u) => [u.name, u]));
    this.#secret = options.tokenSecret;
    this.#now = options.now ?? Date.now;
    this.#verified = new VerifiedPasswords({ now: this.#now });
    this.sessions = new SessionTable({ ttlMs: (options.sessionTtlSeconds ?? 12 * 3600) * 1000, now: this.#now });
    this.#limiter = new SlidingWindowLimiter({
      maxFailures: options.loginMaxFailures ?? 5,
      windowMs: (options.loginWindowSeconds ?? 300) * 1000,
      now: this.#now,
    });
  }

  #dummy: Promise<string> | undefined;
  #dummyHash(): Promise<string> {
    return (this.#dummy ??= hashPassword(randomBytes(16).toString('hex')));
  }

  nowMs(): number {
    return this.#now();
  }

  /** The config's users are not editable through the API. */
  isConfigUser(name: string): boolean {
    return this.#configUsers.has(name) || (this.#admin.user !== undefined && name === this.#admin.user);
  }

  /** The config's users (admin first), without their passwords. */
  configUsers(): Array<{ name: string; role: Role; streams: readonly string[] | null }> {
    const admin =
      this.#admin.user === undefined ? [] : [{ name: this.#admin.user, role: 'admin' as const, streams: null }];
    return [...admin, ...[...this.#configUsers.values()].map(({ name, role, streams }) => ({ name, role, streams }))];
  }

  async #findUser(name: string): Promise<KnownUser | undefined> {
    if (this.#admin.user !== undefined && this.#admin.password !== undefined && name === this.#admin.user) {
      return { name, role: 'admin', streams: null, password: this.#admin.password, source: 'admin' };
    }
    const configured = this.#configUsers.get(name);
    if (configured !== undefined) return { ...configured, source: 'config' };
    const stored = await this.store.findUser(name);
    if (stored !== undefined) return { ...stored, password: stored.passwordHash, source: 'store' };
    // With only an admin token (configured, or generated at start as the quick start does), the web UI
    // still has a way in: user `admin`, the token as password.
    if (this.#admin.user === undefined && this.#admin.token !== undefined && name === TOKEN_SIGN_IN_USER) {
      return { name, role: 'admin', streams: null, password: this.#admin.token, source: 'admin' };
    }
    return undefined;
  }

  #principalOf(user: KnownUser, via: Principal['via']): Principal {
    return {
      via: user.source === 'admin' && via === 'user' ? 'admin' : via,
      name: user.name,
      role: user.role,
      streams: user.streams,
    };
  }

  /**
   * A user name and password (HTTP Basic or the session route). Failures are
   * counted per user name and per client IP; past the limit even a right
   * password is refused until the window slides.
   */
  async checkPassword(name: string, password: string, ip: string): Promise<Principal> {
    const keys = [`user:${name}`, `ip:${ip}`];
    const wait = this.#limiter.retryAfterSeconds(keys);
    if (wait > 0) throw new LoginThrottled(wait);
    const user = await this.#findUser(name);
    // An unknown name costs the same scrypt as a known one, so timing does not tell which names exist.
    if (user === undefined) await verifyPassword(password, await this.#dummyHash());
    const ok = user !== undefined && (await this.#passwordMatches(user, password));
    if (!ok || user === undefined) {
      this.#limiter.recordFailure(keys);
      throw unauthorized('user name or password is wrong');
    }
    this.#limiter.clear(`user:${name}`);
    return this.#principalOf(user, 'user');
  }

  async #passwordMatches(user: KnownUser, password: string): Promise<boolean> {
    if (!isPasswordHash(user.password)) return user.source !== 'store' && sameSecret(password, user.password);
    if (this.#verified.has(user.password, password)) return true;
    const ok = await verifyPassword(password, user.password);
    if (ok) this.#verified.remember(user.password, password);
    return ok;
  }

  isAdminToken(token: string): boolean {
    return sameSecret(token, this.#admin.token);
  }

  /** An API key as given, checked against the store now (revoked keys fail on the very next request). */
  async checkApiKey(key: string, ip: string): Promise<Principal> {
    const record = looksLikeApiKey(key) ? await this.store.findApiKeyByHash(hashApiKey(key)) : undefined;
    if (record === undefined) throw unauthorized('the API key is not known');
    const refusal = keyRefusal(record, this.#now(), ip);
    if (refusal === 'revoked') throw unauthorized(`API key ${record.id} was revoked`);
    if (refusal === 'expired') throw unauthorized(`API key ${record.id} has expired`);
    if (refusal === 'ip') {
      throw new VigilError('FORBIDDEN', `API key ${record.id} may not be used from this client address`);
    }
    return { via: 'key', name: `key:${record.id}`, role: record.role, streams: record.streams };
  }

  /** A session cookie's principal, with the user's current role and streams. */
  async sessionPrincipal(id: string): Promise<Principal | undefined> {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    const user = await this.#findUser(session.user);
    if (user === undefined) {
      this.sessions.delete(id);
      return undefined;
    }
    return { ...this.#principalOf(user, 'session'), via: 'session', csrfToken: session.csrfToken };
  }

  signToken(claims: PlayTokenClaims): string {
    return signPlayToken(claims, this.#secret);
  }

  verifyToken(token: string): PlayTokenCheck {
    return verifyPlayToken(token, this.#secret, Math.floor(this.#now() / 1000));
  }
}
