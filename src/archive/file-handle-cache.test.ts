import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHandleCache } from './file-handle-cache.js';

async function withFiles(count: number, body: (paths: string[]) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-handles-'));
  try {
    const paths = Array.from({ length: count }, (_, i) => join(dir, `s${i}.mp4`));
    await Promise.all(paths.map((p, i) => writeFile(p, `segment ${i}`)));
    await body(paths);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readAll(fh: { read: (b: Buffer, o: number, l: number, p: number) => Promise<{ bytesRead: number }> }) {
  const buf = Buffer.alloc(64);
  const { bytesRead } = await fh.read(buf, 0, 64, 0);
  return buf.subarray(0, bytesRead).toString();
}

test('leases of one file share one handle; an idle handle closes after its delay', async () => {
  await withFiles(1, async ([path]) => {
    const cache = new FileHandleCache(8, 50);
    const a = await cache.lease(path!);
    const b = await cache.lease(path!);
    assert.equal(a.fh, b.fh);
    a.release();
    a.release(); // twice: ignored, b still holds it
    assert.equal(await readAll(b.fh), 'segment 0');
    b.release();
    await new Promise((r) => setTimeout(r, 120));
    await assert.rejects(b.fh.read(Buffer.alloc(1), 0, 1, 0), 'closed after the idle delay');
    const c = await cache.lease(path!);
    assert.notEqual(c.fh, a.fh, 'reopened');
    c.release();
    await cache.close();
  });
});

test('past maxOpen the least recently used idle handles close; busy ones never do', async () => {
  await withFiles(4, async (paths) => {
    const cache = new FileHandleCache(2, 60_000);
    const busy = await cache.lease(paths[0]!);
    for (const p of paths.slice(1)) (await cache.lease(p)).release();
    assert.equal(await readAll(busy.fh), 'segment 0', 'the busy handle stays open');
    busy.release();
    await cache.close();
    await assert.rejects(busy.fh.read(Buffer.alloc(1), 0, 1, 0));
    await assert.rejects(cache.lease(paths[0]!), /closed/);
  });
});

test('a file that cannot be opened is an error and is not cached; a deleted file keeps reading until released', async () => {
  await withFiles(1, async ([path]) => {
    const cache = new FileHandleCache();
    await assert.rejects(cache.lease(`${path!}.missing`), { code: 'ENOENT' });
    await assert.rejects(cache.lease(`${path!}.missing`), { code: 'ENOENT' });
    const lease = await cache.lease(path!);
    await unlink(path!);
    assert.equal(await readAll(lease.fh), 'segment 0');
    lease.release();
    await cache.close();
  });
});
