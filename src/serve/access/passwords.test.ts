import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, isPasswordHash, verifyPassword } from './passwords.js';

describe('password hashes', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    assert.ok(isPasswordHash(stored));
    assert.equal(await verifyPassword('correct horse', stored), true);
    assert.equal(await verifyPassword('correct hors', stored), false);
  });

  it('salts: the same password hashes differently each time, and neither holds the password', async () => {
    const a = await hashPassword('same');
    const b = await hashPassword('same');
    assert.notEqual(a, b);
    assert.ok(!a.includes('same'));
  });

  it('treats plain text and hashes with absurd parameters as not hashes', async () => {
    assert.equal(isPasswordHash('hunter22'), false);
    const stored = await hashPassword('x');
    const absurd = stored.replace(/^scrypt\$16384\$/, 'scrypt$1073741824$');
    assert.equal(isPasswordHash(absurd), false);
    assert.equal(await verifyPassword('x', absurd), false);
  });
});
