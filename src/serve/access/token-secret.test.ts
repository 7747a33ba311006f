import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTokenSecret } from './token-secret.js';

describe('play-token signing secret', () => {
  it('is generated once into the data dir with mode 0600 and read back after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-secret-'));
    try {
      const first = await loadTokenSecret(dir, undefined);
      assert.equal(first.length, 32);
      assert.equal((await stat(join(dir, 'token-secret'))).mode & 0o777, 0o600);
      assert.deepEqual(await loadTokenSecret(dir, undefined), first);
      assert.deepEqual(await loadTokenSecret(dir, 'x'.repeat(32)), Buffer.from('x'.repeat(32)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
