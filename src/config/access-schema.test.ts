import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText, resolveConfig } from './config-file.js';

describe('config: users and access', () => {
  it('reads users with roles, passwords and streams, and access settings', () => {
    const file = parseConfigText(
      [
        'users:',
        '  carol: { role: viewer, password: "p1", streams: [cam1] }',
        '  ops: { role: operator, password: "scrypt$16384$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA" }',
        'access:',
        '  token_secret: "0123456789abcdef0123456789abcdef"',
        '  trust_proxy: true',
      ].join('\n'),
      'vigil.yaml',
    );
    const { access } = resolveConfig(file, { label: 'vigil.yaml', fsSize: () => 1e12 });
    assert.deepEqual(
      access.users.map((u) => [u.name, u.role, u.streams]),
      [
        ['carol', 'viewer', ['cam1']],
        ['ops', 'operator', null],
      ],
    );
    assert.equal(access.tokenSecret, '0123456789abcdef0123456789abcdef');
    assert.equal(access.trustProxy, true);
    assert.equal(access.loginMaxFailures, 5);
  });

  it('refuses an unknown role, a short secret and a bad user name, naming the key', () => {
    assert.throws(() => parseConfigText('users:\n  a: { role: root, password: x }', 'v.yaml'), /users\.a\.role/);
    assert.throws(() => parseConfigText('access:\n  token_secret: short', 'v.yaml'), /access\.token_secret/);
    const file = parseConfigText('users:\n  "bad name": { role: viewer, password: x }', 'v.yaml');
    assert.throws(() => resolveConfig(file, { label: 'v.yaml' }), /users\.bad name: a user name must be/);
  });
});
