/**
 * Signed play tokens for viewer URLs: `<claims>.<signature>`, both base64url,
 * the signature an HMAC-SHA256 of the claims' bytes. A token names one
 * stream, the kinds of request it allows, its expiry and optionally the one
 * client IP it is good from. Nothing is stored: revoking every token means
 * changing the signing secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenKind } from './route-access.js';

export interface PlayTokenClaims {
  stream: string;
  kinds: TokenKind[];
  /** Unix seconds. */
  expiresAt: number;
  ip?: string;
}

interface WireClaims {
  v: 1;
  s: string;
  k: TokenKind[];
  e: number;
  ip?: string;
}

const KINDS: readonly TokenKind[] = ['live', 'archive', 'download'];

function sign(payload: string, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signPlayToken(claims: PlayTokenClaims, secret: Buffer): string {
  const wire: WireClaims = {
    v: 1,
    s: claims.stream,
    k: claims.kinds,
    e: claims.expiresAt,
    ...(claims.ip === undefined ? {} : { ip: claims.ip }),
  };
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${payload}.${sign(payload, secret).toString('base64url')}`;
}

export type PlayTokenCheck =
  | { ok: true; claims: PlayTokenClaims }
  | { ok: false; reason: 'malformed' | 'tampered' | 'expired'; expiresAt?: number };

function parseClaims(payload: string): PlayTokenClaims | undefined {
  let wire: Partial<WireClaims>;
  try {
    wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<WireClaims>;
  } catch {
    return undefined;
  }
  const kindsOk = Array.isArray(wire.k) && wire.k.every((k) => KINDS.includes(k));
  if (wire.v !== 1 || typeof wire.s !== 'string' || !kindsOk || typeof wire.e !== 'number') return undefined;
  if (wire.ip !== undefined && typeof wire.ip !== 'string') return undefined;
  return { stream: wire.s, kinds: wire.k ?? [], expiresAt: wire.e, ...(wire.ip === undefined ? {} : { ip: wire.ip }) };
}

/** Checks the signature first (nothing unsigned is parsed), then the expiry against `nowS` (Unix seconds). */
export function verifyPlayToken(token: string, secret: Buffer, nowS: number): PlayTokenCheck {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = sign(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
  const claims = parseClaims(payload);
  if (claims === undefined) return { ok: false, reason: 'malformed' };
  if (nowS >= claims.expiresAt) return { ok: false, reason: 'expired', expiresAt: claims.expiresAt };
  return { ok: true, claims };
}

/** Tokens are base64url with one dot; API keys and the admin token are told apart by this shape. */
export function looksLikePlayToken(text: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text);
}
