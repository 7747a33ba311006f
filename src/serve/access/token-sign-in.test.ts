import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AccessService, TOKEN_SIGN_IN_USER } from './access-service.js';
import { MemoryAccessStore } from './access-store.js';

function serviceWith(admin: { token?: string; user?: string; password?: string }): AccessService {
  return new AccessService({ admin, store: new MemoryAccessStore(), tokenSecret: randomBytes(32) });
}

describe('signing in with the admin token', () => {
  it('lets `admin` sign in with the token as password when only a token is configured', async () => {
    const service = serviceWith({ token: 'quick-start-token-1234' });
    const principal = await service.checkPassword(TOKEN_SIGN_IN_USER, 'quick-start-token-1234', '127.0.0.1');
    assert.equal(principal.role, 'admin');
    await assert.rejects(service.checkPassword(TOKEN_SIGN_IN_USER, 'wrong', '127.0.0.1'), /wrong/);
  });

  it('does not when an admin user is configured: then only that user and its password sign in', async () => {
    const service = serviceWith({ token: 'quick-start-token-1234', user: 'boss', password: 'secret-password' });
    await assert.rejects(service.checkPassword(TOKEN_SIGN_IN_USER, 'quick-start-token-1234', '127.0.0.1'), /wrong/);
    assert.equal((await service.checkPassword('boss', 'secret-password', '127.0.0.1')).role, 'admin');
  });
});
