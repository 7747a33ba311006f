import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import type { Kysely } from 'kysely';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import * as repo from './access.repo.js';
import type { Database } from './database.js';

const user: repo.StoredUser = {
  name: 'carol',
  role: 'viewer',
  streams: ['cam1'],
  passwordHash: 'scrypt$16384$8$1$salt$hash',
  createdAtMs: 1_763_712_000_000,
  updatedAtMs: 1_763_712_000_000,
};

const key: repo.StoredApiKey = {
  id: '0123456789ab',
  hash: 'f'.repeat(64),
  user: 'admin',
  role: 'operator',
  streams: null,
  ips: ['10.0.0.0/8'],
  label: 'nvr',
  createdAtMs: 1_763_712_000_000,
  expiresAtMs: 1_763_798_400_000,
  revokedAtMs: null,
};

forEachDialect('access repo', (d) => {
  let db: Kysely<Database>;
  beforeEach(async () => {
    db = await d.open();
  });
  afterEach(() => db.destroy());

  it('stores users, refuses a taken name, updates and deletes', async () => {
    assert.equal(await repo.insertUser(db, user), true);
    assert.equal(await repo.insertUser(db, { ...user, role: 'admin' }), false);
    assert.deepEqual(await repo.findUser(db, 'carol'), user);
    assert.equal(await repo.updateUser(db, 'carol', { role: 'operator', streams: null }, user.createdAtMs + 1), true);
    assert.deepEqual(await repo.listUsers(db), [
      { ...user, role: 'operator', streams: null, updatedAtMs: user.createdAtMs + 1 },
    ]);
    assert.equal(await repo.updateUser(db, 'nobody', { role: 'admin' }, 0), false);
    assert.equal(await repo.deleteUser(db, 'carol'), true);
    assert.equal(await repo.findUser(db, 'carol'), undefined);
  });

  it('finds keys by hash and revokes them once', async () => {
    await repo.insertApiKey(db, key);
    assert.deepEqual(await repo.findApiKeyByHash(db, key.hash), key);
    assert.equal(await repo.revokeApiKey(db, key.id, key.createdAtMs + 5), true);
    assert.equal(await repo.revokeApiKey(db, key.id, key.createdAtMs + 6), false);
    assert.deepEqual(await repo.listApiKeys(db), [{ ...key, revokedAtMs: key.createdAtMs + 5 }]);
  });
});
