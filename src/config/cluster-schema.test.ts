import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { parseConfigText, resolveConfig } from './config-file.js';

const SECRET = 's3cr3t-pw';

function load(yaml: string, env: Record<string, string> = {}) {
  return resolveConfig(parseConfigText(yaml, 'vigil.yaml'), { label: 'vigil.yaml', env });
}

describe('cluster config', () => {
  it('leaves the index embedded (SQLite) without a cluster section', () => {
    assert.equal(load('port: 8080').cluster.database, undefined);
  });

  it('reads cluster.database as the index URL, and never shows its password when printed', () => {
    const config = load(`cluster:\n  database: postgres://vigil:${SECRET}@db.local:5433/vigil\n`);
    assert.equal(config.cluster.database?.url, `postgres://vigil:${SECRET}@db.local:5433/vigil`);
    assert.equal(config.cluster.database?.display, 'postgres://vigil:***@db.local:5433/vigil');
    assert.equal(JSON.stringify(config).includes(SECRET), false);
    assert.equal(inspect(config, { depth: 10 }).includes(SECRET), false);
  });

  it('takes VIGIL_DATABASE_URL over the file', () => {
    const config = load('cluster:\n  database: postgres://a@file/db\n', {
      VIGIL_DATABASE_URL: `postgresql://vigil:${SECRET}@env/db`,
    });
    assert.equal(config.cluster.database?.url, `postgresql://vigil:${SECRET}@env/db`);
  });

  const refused: Array<{ name: string; yaml?: string; env?: string; field: string; says: RegExp }> = [
    { name: 'not a URL', yaml: `x${SECRET}`, field: 'cluster.database', says: /not a URL/ },
    {
      name: 'another scheme',
      yaml: `mysql://vigil:${SECRET}@db/vigil`,
      field: 'cluster.database',
      says: /got a mysql: URL/,
    },
    {
      name: 'no database',
      yaml: `postgres://vigil:${SECRET}@db:5432`,
      field: 'cluster.database',
      says: /names no database/,
    },
    {
      name: 'no host',
      yaml: `postgres://vigil:${SECRET}@/vigil`,
      field: 'cluster.database',
      says: /names no host|not a URL/,
    },
    {
      name: 'a bad environment value',
      env: `http://vigil:${SECRET}@db/vigil`,
      field: 'VIGIL_DATABASE_URL',
      says: /got a http: URL/,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}, naming the field and hiding the password`, () => {
      const yaml = c.yaml === undefined ? '' : `cluster:\n  database: "${c.yaml}"\n`;
      assert.throws(
        () => load(yaml, c.env === undefined ? {} : { VIGIL_DATABASE_URL: c.env }),
        (err: unknown) => {
          assert.ok(isVigilError(err, 'INVALID_CONFIG'));
          assert.equal(err.field, c.field);
          assert.match(err.message, c.says);
          assert.equal(err.message.includes(SECRET), false, err.message);
          return true;
        },
      );
    });
  }

  it('refuses an unknown key in the section', () => {
    assert.throws(() => load('cluster:\n  databse: postgres://db/vigil\n'), /cluster/);
  });
});

describe('cluster node settings', () => {
  const DB = 'cluster:\n  database: postgres://vigil@db/vigil\n';

  it('makes a node do everything, under its host name, with 15 s leases and the local queue by default', () => {
    const { node } = load('port: 8080').cluster;
    assert.deepEqual([...node.roles], ['recorder', 'exporter', 'api']);
    assert.equal(node.leaseSeconds, 15);
    assert.equal(node.queue, 'local');
    assert.match(node.id, /^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  });

  it('uses pg-boss by default once there is a database, and takes node, roles and lease from the file', () => {
    const { node } = load(`${DB}  node: rec-1\n  roles: [recorder]\n  lease_seconds: 5\n`).cluster;
    assert.equal(node.id, 'rec-1');
    assert.deepEqual([...node.roles], ['recorder']);
    assert.equal(node.leaseSeconds, 5);
    assert.equal(node.queue, 'pg-boss');
  });

  it('lets VIGIL_NODE and VIGIL_ROLES win over the file', () => {
    const { node } = load(`${DB}  node: file-node\n`, { VIGIL_NODE: 'env-node', VIGIL_ROLES: 'exporter, api' }).cluster;
    assert.equal(node.id, 'env-node');
    assert.deepEqual([...node.roles], ['exporter', 'api']);
  });

  const refused: Array<{ name: string; yaml: string; env?: Record<string, string>; field: string; says: RegExp }> = [
    {
      name: 'a partial role set without a database',
      yaml: 'cluster:\n  roles: [api]\n',
      field: 'cluster.roles',
      says: /must do everything/,
    },
    {
      name: 'pg-boss without a database',
      yaml: 'cluster:\n  queue: pg-boss\n',
      field: 'cluster.queue',
      says: /set cluster.database/,
    },
    {
      name: 'an unknown role in VIGIL_ROLES',
      yaml: DB,
      env: { VIGIL_ROLES: 'recorder,transcoder' },
      field: 'VIGIL_ROLES',
      says: /transcoder/,
    },
    {
      name: 'a node name with a space',
      yaml: DB,
      env: { VIGIL_NODE: 'rec 1' },
      field: 'VIGIL_NODE',
      says: /letters, digits/,
    },
    {
      name: 'an unknown role in the file',
      yaml: `${DB}  roles: [recorder, transcoder]\n`,
      field: 'cluster.roles',
      says: /recorder|exporter|api/,
    },
    { name: 'a lease under 3 s', yaml: `${DB}  lease_seconds: 1\n`, field: 'cluster.lease_seconds', says: /3/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}, naming ${c.field}`, () => {
      assert.throws(
        () => load(c.yaml, c.env),
        (err: unknown) =>
          isVigilError(err) &&
          err.code === 'INVALID_CONFIG' &&
          err.message.includes(c.field) &&
          c.says.test(err.message),
      );
    });
  }
});
