import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { DEFAULT_LOCAL_CACHE_BYTES, parseClusterConfig } from './cluster-schema.js';
import { parseConfigText, resolveConfig } from './config-file.js';

const SECRET = 'wJalrXUtnFEMI-K7MDENG';

describe('cluster.storage config', () => {
  it('reads an s3:// URL, endpoint and credentials, and never shows the secret when printed', () => {
    const config = resolveConfig(
      parseConfigText(
        [
          'cluster:',
          '  storage:',
          '    url: s3://vigil-archive/site-a/',
          '    endpoint: http://127.0.0.1:9000',
          '    access_key_id: AKIAEXAMPLE',
          `    secret_access_key: ${SECRET}`,
          '    local_cache_bytes: 1000000',
        ].join('\n'),
        'vigil.yaml',
      ),
      { label: 'vigil.yaml', env: {} },
    );
    const storage = config.cluster.storage;
    assert.equal(storage?.bucket, 'vigil-archive');
    assert.equal(storage?.prefix, 'site-a');
    assert.equal(storage?.endpoint, 'http://127.0.0.1:9000');
    assert.equal(storage?.forcePathStyle, true, 'path style by default with a custom endpoint');
    assert.equal(storage?.localCacheBytes, 1_000_000);
    assert.equal(storage?.accessKeyId, 'AKIAEXAMPLE');
    assert.equal(storage?.secretAccessKey, SECRET);
    assert.equal(JSON.stringify(config).includes(SECRET), false);
    assert.equal(inspect(config, { depth: 10 }).includes(SECRET), false);
  });

  it('takes credentials and region from the AWS_* environment when the file has none', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'eu-west-3' };
    const { storage } = parseClusterConfig({ storage: { url: 's3://bucket-b' } }, undefined, 'vigil.yaml', env);
    assert.equal(storage?.prefix, '');
    assert.equal(storage?.region, 'eu-west-3');
    assert.equal(storage?.accessKeyId, 'AKIAENV');
    assert.equal(storage?.secretAccessKey, SECRET);
    assert.equal(storage?.forcePathStyle, false);
    assert.equal(storage?.localCacheBytes, DEFAULT_LOCAL_CACHE_BYTES);
  });

  const refused: Array<{ name: string; storage: { url: string; [k: string]: unknown }; field: string; says: RegExp }> =
    [
      {
        name: 'another scheme',
        storage: { url: 'https://bucket/x' },
        field: 'cluster.storage.url',
        says: /s3:\/\/bucket/,
      },
      {
        name: 'a bad bucket name',
        storage: { url: 's3://Bad_Bucket/x' },
        field: 'cluster.storage.url',
        says: /bucket name/,
      },
      {
        name: 'a prefix with ..',
        storage: { url: 's3://bucket/a/../b' },
        field: 'cluster.storage.url',
        says: /"\.\."/,
      },
      {
        name: 'an endpoint that is not http(s)',
        storage: { url: 's3://bucket', endpoint: 'ftp://x' },
        field: 'cluster.storage.endpoint',
        says: /http:\/\//,
      },
      {
        name: 'a key id without its secret',
        storage: { url: 's3://bucket', access_key_id: 'AKIA' },
        field: 'cluster.storage.secret_access_key',
        says: /go together/,
      },
    ];
  for (const { name, storage, field, says } of refused) {
    it(`refuses ${name}, naming the field`, () => {
      assert.throws(
        () => parseClusterConfig({ storage } as Parameters<typeof parseClusterConfig>[0], undefined, 'vigil.yaml', {}),
        (err: unknown) => isVigilError(err) && err.field === field && says.test(err.message),
      );
    });
  }
});
