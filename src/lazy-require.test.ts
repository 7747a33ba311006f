import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { lazyRequire } from './lazy-require.js';

const run = promisify(execFile);

describe('lazyRequire', () => {
  test('loads the module at the first call, once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-lazy-'));
    try {
      const file = join(dir, 'counted.cjs');
      writeFileSync(
        file,
        'globalThis.__vigilLazyLoads = (globalThis.__vigilLazyLoads ?? 0) + 1; module.exports = { v: 42 };',
      );
      const loads = () => (globalThis as { __vigilLazyLoads?: number }).__vigilLazyLoads ?? 0;
      const counted = lazyRequire<{ v: number }>(file);
      assert.equal(loads(), 0);
      assert.equal(counted().v, 42);
      assert.equal(counted().v, 42);
      assert.equal(loads(), 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a server on embedded defaults loads no cluster client (AWS SDK, pg, pg-boss)', async () => {
    // A fresh process: what `vigil serve` imports to start, and nothing the test runner loaded.
    const script = [
      "await import('./src/runtime.ts');",
      "await import('./src/cli/commands/serve.ts');",
      "const { createRequire } = await import('node:module');",
      'const loaded = Object.keys(createRequire(import.meta.url).cache);',
      'console.log(JSON.stringify(loaded));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      timeout: 60_000,
    });
    const loaded = JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as string[];
    assert.ok(loaded.length > 0, 'the probe saw the CommonJS modules the server loaded');
    const cluster = loaded.filter((path) => /node_modules\/(@aws-sdk|pg|pg-boss|pg-pool)\//.test(path));
    assert.deepEqual(cluster, []);
  });
});
