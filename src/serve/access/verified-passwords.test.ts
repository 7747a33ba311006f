import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AccessService } from './access-service.js';
import { MemoryAccessStore } from './access-store.js';
import { hashPassword } from './passwords.js';
import { VerifiedPasswords } from './verified-passwords.js';

describe('VerifiedPasswords', () => {
  it('matches only the same password against the same stored hash, until the ttl runs out', () => {
    let now = 0;
    const verified = new VerifiedPasswords({ ttlMs: 1000, now: () => now });
    verified.remember('hash-1', 'secret');
    assert.equal(verified.has('hash-1', 'secret'), true);
    assert.equal(verified.has('hash-1', 'Secret'), false);
    assert.equal(verified.has('hash-2', 'secret'), false, 'a new hash (changed password) is not matched');
    now = 999;
    assert.equal(verified.has('hash-1', 'secret'), true);
    now = 1000;
    assert.equal(verified.has('hash-1', 'secret'), false);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const verified = new VerifiedPasswords({ maxEntries: 2 });
    verified.remember('h', 'a');
    verified.remember('h', 'b');
    verified.remember('h', 'c');
    assert.deepEqual(
      ['a', 'b', 'c'].map((p) => verified.has('h', p)),
      [false, true, true],
    );
  });
});

describe('Basic credentials of a stored user', () => {
  it('keep working on every request, and a changed password ends the old one at once', async () => {
    const store = new MemoryAccessStore();
    const service = new AccessService({ admin: {}, store, tokenSecret: randomBytes(32) });
    await store.insertUser({
      name: 'ops',
      role: 'operator',
      streams: null,
      passwordHash: await hashPassword('first-password'),
      createdAtMs: 0,
      updatedAtMs: 0,
    });
    for (let i = 0; i < 3; i++)
      assert.equal((await service.checkPassword('ops', 'first-password', '10.0.0.1')).role, 'operator');
    await store.updateUser('ops', { passwordHash: await hashPassword('second-password') }, 1);
    await assert.rejects(service.checkPassword('ops', 'first-password', '10.0.0.1'), /wrong/);
    assert.equal((await service.checkPassword('ops', 'second-password', '10.0.0.1')).name, 'ops');
  });
});
