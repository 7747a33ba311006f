import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signPlayToken, verifyPlayToken } from './play-tokens.js';

const SECRET = Buffer.alloc(32, 7);
const NOW = 1_763_712_000;

describe('play tokens', () => {
  const claims = { stream: 'cam1', kinds: ['archive' as const, 'live' as const], expiresAt: NOW + 60, ip: '10.0.0.5' };

  it('round-trips its claims', () => {
    const check = verifyPlayToken(signPlayToken(claims, SECRET), SECRET, NOW);
    assert.deepEqual(check, { ok: true, claims });
  });

  it('refuses a token whose claims were changed (stream swapped in the payload)', () => {
    const [payload = '', signature] = signPlayToken(claims, SECRET).split('.');
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...wire, s: 'cam2' })).toString('base64url');
    assert.deepEqual(verifyPlayToken(`${forged}.${signature}`, SECRET, NOW), { ok: false, reason: 'tampered' });
  });

  it('refuses a token signed with another secret, and one cut short', () => {
    const token = signPlayToken(claims, Buffer.alloc(32, 8));
    assert.equal(verifyPlayToken(token, SECRET, NOW).ok, false);
    assert.deepEqual(verifyPlayToken(token.slice(0, -3), SECRET, NOW), { ok: false, reason: 'tampered' });
    assert.deepEqual(verifyPlayToken('nodot', SECRET, NOW), { ok: false, reason: 'malformed' });
  });

  it('expires at its expiry second', () => {
    const token = signPlayToken(claims, SECRET);
    assert.equal(verifyPlayToken(token, SECRET, NOW + 59).ok, true);
    assert.deepEqual(verifyPlayToken(token, SECRET, NOW + 60), { ok: false, reason: 'expired', expiresAt: NOW + 60 });
  });
});
