import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import type { ChunkPool, ServedBytes, VirtualFile } from '../export/types.js';
import { sendVirtualFile } from './send-virtual-file.js';

const MiB = 1024 * 1024;

/**
 * A large file whose payload comes from the response's pool, as a segment reader's does;
 * each chunk is filled with its index, so a reused buffer written too early would show.
 */
class CountingFile implements VirtualFile {
  readonly contentType = 'video/mp4';
  readonly served: ServedBytes = { fromRam: 0, fromDisk: 0, fromRemote: 0 };
  chunksRead = 0;
  constructor(readonly sizeBytes: number) {}

  async *read(start: number, end: number, signal: AbortSignal, pool?: ChunkPool): AsyncIterable<Uint8Array> {
    assert.ok(pool !== undefined, 'the sender lends a pool');
    assert.equal(start % MiB, 0);
    for (let at = start; at < end; at += MiB) {
      const chunk = await pool.acquire(signal);
      chunk.fill((at / MiB) % 251);
      this.chunksRead += 1;
      this.served.fromDisk += chunk.length;
      yield chunk.subarray(0, Math.min(MiB, end - at));
    }
  }
}

function expectedHash(sizeBytes: number): string {
  const hash = createHash('sha256');
  for (let at = 0; at < sizeBytes; at += MiB)
    hash.update(Buffer.alloc(Math.min(MiB, sizeBytes - at), (at / MiB) % 251));
  return hash.digest('hex');
}

async function serve(file: VirtualFile) {
  const app = Fastify();
  const done: ServedBytes[] = [];
  app.get('/f', (request, reply) =>
    sendVirtualFile(request, reply, file, { cacheControl: 'no-store', onDone: (s) => done.push(s) }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { app, done, url: `http://127.0.0.1:${port}/f` };
}

test('a body bigger than the pool arrives whole: each pooled chunk is reused only after its write', async () => {
  const file = new CountingFile(40 * MiB + 123);
  const { app, done, url } = await serve(file);
  try {
    const { hash, length, headers } = await new Promise<{ hash: string; length: number; headers: object }>(
      (resolve, reject) => {
        get(url, (res) => {
          const h = createHash('sha256');
          let length = 0;
          res.on('data', (c: Buffer) => {
            h.update(c);
            length += c.length;
          });
          res.on('end', () => resolve({ hash: h.digest('hex'), length, headers: res.headers }));
          res.on('error', reject);
        }).on('error', reject);
      },
    );
    assert.equal(length, file.sizeBytes);
    assert.equal((headers as Record<string, string>)['content-length'], String(file.sizeBytes));
    assert.equal(hash, expectedHash(file.sizeBytes));
    await new Promise((r) => setImmediate(r));
    assert.equal(done[0]?.fromDisk, 41 * MiB);
  } finally {
    await app.close();
  }
});

test('when the client goes away the reads stop', async () => {
  const file = new CountingFile(1024 * MiB);
  const { app, done, url } = await serve(file);
  try {
    await new Promise<void>((resolve, reject) => {
      const req = get(url, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no first byte')), 10_000).unref();
    });
    // Give the server time to notice; a sender that kept reading would read 1 GiB meanwhile.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(done.length, 1, 'the response reported its bytes once');
    assert.ok(file.chunksRead < 64, `read ${file.chunksRead} MiB of 1024 after the client left`);
  } finally {
    await app.close();
  }
});
