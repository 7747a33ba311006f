import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config-file.js';
import { isVigilError, type VigilError } from '../errors.js';

function withFile(text: string, run: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  try {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, text);
    run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refusal(run: () => unknown): VigilError {
  try {
    run();
  } catch (err) {
    assert.ok(isVigilError(err, 'INVALID_CONFIG'), `expected INVALID_CONFIG, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the config to be refused');
}

describe('loadConfig', () => {
  it('applies defaults when there is no file', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.timezone, 'UTC');
    assert.equal(config.demo, true);
    assert.equal(config.dvr.segmentDurationSeconds, 60);
    assert.equal(config.dvr.gapToleranceSeconds, 1.5);
    assert.equal(config.record.backoffMaxSeconds, 30);
    assert.ok(config.dvr.root.endsWith(join('vigil-data', 'archive')));
    assert.deepEqual(config.streams, []);
  });

  it('reads a file with streams in the wire format', () => {
    const yaml = [
      'port: 9000',
      'timezone: Europe/Paris',
      'dvr: { segment_duration: 30, disk_limit: 2G }',
      'streams:',
      '  cam1:',
      '    url: rtsp://user:secret@10.0.0.5/stream1',
      '    rotate: 90',
      '    dvr: { expiration: 3600, disk_limit: 50% }',
    ].join('\n');
    withFile(yaml, (file) => {
      const config = loadConfig({ file, env: {}, fsSize: () => 1000 });
      assert.equal(config.port, 9000);
      assert.equal(config.timezone, 'Europe/Paris');
      assert.equal(config.dvr.segmentDurationSeconds, 30);
      assert.equal(config.dvr.diskLimitBytes, 2 * 1024 ** 3);
      assert.equal(config.streams.length, 1);
      const cam = config.streams[0];
      assert.equal(cam?.name, 'cam1');
      assert.equal(cam?.rotate, 90);
      assert.equal(cam?.dvr.expirationSeconds, 3600);
      assert.equal(cam?.dvr.diskLimitBytes, 500);
    });
  });

  it('refuses a misspelt key with the file, the key path and the allowed keys', () => {
    withFile('dvr:\n  segment_duraton: 30\n', (file) => {
      const err = refusal(() => loadConfig({ file, env: {} }));
      assert.match(err.message, /^vigil\.yaml: dvr\.segment_duraton: unknown key; allowed: root, segment_duration, /);
      assert.equal(err.field, 'dvr.segment_duraton');
    });
  });

  it('refuses a wrong value with the allowed values', () => {
    withFile('streams:\n  cam1:\n    url: demo://clock\n    flip: sideways\n', (file) => {
      const err = refusal(() => loadConfig({ file, env: {} }));
      assert.equal(
        err.message,
        'vigil.yaml: streams.cam1.flip: expected one of none, horizontal, vertical, both, got "sideways"',
      );
    });
    withFile('record:\n  backoff_min: -1\n', (file) => {
      const err = refusal(() => loadConfig({ file, env: {} }));
      assert.match(err.message, /^vigil\.yaml: record\.backoff_min: expected seconds \(>= 0\), got -1$/);
    });
  });

  it('refuses an unsupported scheme, an unknown time zone and a bad stream name', () => {
    withFile('streams:\n  cam1:\n    url: ftp://host/file\n', (file) => {
      const err = refusal(() => loadConfig({ file, env: {} }));
      assert.match(err.message, /streams\.cam1\.url: scheme "ftp" is not supported; use rtsp, rtmp/);
    });
    withFile('timezone: Mars/Olympus\n', (file) => {
      assert.match(refusal(() => loadConfig({ file, env: {} })).message, /timezone: unknown time zone "Mars\/Olympus"/);
    });
    withFile('streams:\n  "a..b":\n    url: demo://clock\n', (file) => {
      assert.match(refusal(() => loadConfig({ file, env: {} })).message, /streams\.a\.\.b: a stream name must be/);
    });
  });

  it('never puts a secret in an error message', () => {
    withFile('admin:\n  password: 123456789\n', (file) => {
      const err = refusal(() => loadConfig({ file, env: {} }));
      assert.equal(err.field, 'admin.password');
      assert.doesNotMatch(err.message, /123456789/);
    });
    withFile('streams:\n  cam1:\n    url: 42424242\n', (file) => {
      assert.doesNotMatch(refusal(() => loadConfig({ file, env: {} })).message, /42424242/);
    });
  });

  it('lets the environment override the file and flags override both', () => {
    withFile('port: 9000\ndata_dir: /tmp/from-file\nadmin: { token: file-token }\n', (file) => {
      const env = { VIGIL_PORT: '9100', VIGIL_DATA: '/tmp/from-env', VIGIL_ADMIN_TOKEN: 'env-token' };
      const fromEnv = loadConfig({ file, env });
      assert.equal(fromEnv.port, 9100);
      assert.equal(fromEnv.dataDir, '/tmp/from-env');
      assert.equal(fromEnv.admin.token, 'env-token');
      const fromFlags = loadConfig({ file, env, overrides: { port: 9200, dataDir: '/tmp/from-flag', demo: false } });
      assert.equal(fromFlags.port, 9200);
      assert.equal(fromFlags.dataDir, '/tmp/from-flag');
      assert.equal(fromFlags.demo, false);
    });
  });

  it('finds the file through VIGIL_CONFIG and names a missing one', () => {
    withFile('port: 9300\n', (file) => {
      assert.equal(loadConfig({ env: { VIGIL_CONFIG: file } }).port, 9300);
    });
    assert.match(refusal(() => loadConfig({ file: '/nonexistent/vigil.yaml' })).message, /file not found/);
    assert.match(refusal(() => loadConfig({ env: { VIGIL_PORT: 'eighty' } })).message, /VIGIL_PORT: expected a port/);
  });
});
