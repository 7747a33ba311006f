import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BufferPool } from '../archive/chunk-pool.js';
import { LocalSegmentReader } from '../archive/segment-reader.js';
import { isVigilError } from '../errors.js';
import type { VirtualFile, VirtualFileLayout } from './types.js';
import { readVirtualFile } from './virtual-file.js';

async function collect(
  file: VirtualFile,
  start: number,
  end: number,
  signal = new AbortController().signal,
  pool?: BufferPool,
) {
  const chunks: Uint8Array[] = [];
  for await (const chunk of file.read(start, end, signal, pool)) {
    // A pooled chunk is copied, then given back, as a socket write does once it completes.
    chunks.push(pool === undefined ? chunk : Buffer.from(chunk));
    pool?.release(chunk);
  }
  return Buffer.concat(chunks);
}

async function withFixture(body: (root: string, segment: Buffer) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'vigil-vfile-'));
  try {
    await mkdir(join(root, 'cam'), { recursive: true });
    const segment = randomBytes(300_000);
    await writeFile(join(root, 'cam/a.mp4'), segment);
    await body(root, segment);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('every byte range of a layout equals the same slice of the whole', async () => {
  await withFixture(async (root, segment) => {
    const header = randomBytes(1000);
    const trailer = randomBytes(17);
    const file = { root, path: 'cam/a.mp4' };
    const layout: VirtualFileLayout = {
      contentType: 'video/mp4',
      sizeBytes: 1000 + 200_000 + 17 + 50_000,
      parts: [
        { kind: 'bytes', data: header },
        { kind: 'file', file, offset: 10_000, length: 200_000 },
        { kind: 'bytes', data: trailer },
        { kind: 'file', file, offset: 250_000, length: 50_000 },
      ],
    };
    const whole = Buffer.concat([header, segment.subarray(10_000, 210_000), trailer, segment.subarray(250_000)]);
    // Chunks smaller than the parts, so ranges also start and end inside chunks.
    const vfile = readVirtualFile(layout, new LocalSegmentReader(64 * 1024));
    assert.equal(vfile.sizeBytes, whole.length);
    assert.deepEqual(await collect(vfile, 0, vfile.sizeBytes), whole);
    for (const [start, end] of [
      [0, 1],
      [999, 1001],
      [1000, 201_000],
      [200_990, 201_020],
      [65_000, 140_000],
      [whole.length - 5, whole.length],
      [whole.length, whole.length],
    ] as const) {
      assert.deepEqual(await collect(vfile, start, end), whole.subarray(start, end), `bytes ${start}-${end}`);
      const pool = new BufferPool(40_000, 2);
      const pooled = await collect(vfile, start, end, undefined, pool);
      assert.deepEqual(pooled, whole.subarray(start, end), `bytes ${start}-${end} through a pool`);
    }
    // The whole read, then (plain and pooled) one header byte twice and the trailer once more.
    assert.equal(vfile.served.fromRam, 1017 + 2 * (1 + 1 + 17));
  });
});

test('a range outside the file is refused, an abort stops the reads, a short file is a storage error', async () => {
  await withFixture(async (root) => {
    const file = { root, path: 'cam/a.mp4' };
    const vfile = readVirtualFile(
      { contentType: 'video/mp4', sizeBytes: 400_000, parts: [{ kind: 'file', file, offset: 0, length: 400_000 }] },
      new LocalSegmentReader(64 * 1024),
    );
    await assert.rejects(collect(vfile, 10, 400_001), (err) => isVigilError(err, 'INVALID_ARGUMENT'));

    const abort = new AbortController();
    let chunks = 0;
    await assert.rejects(async () => {
      for await (const _chunk of vfile.read(0, 200_000, abort.signal)) {
        chunks += 1;
        abort.abort();
      }
    });
    assert.equal(chunks, 1);

    await assert.rejects(collect(vfile, 0, 400_000), (err) => isVigilError(err, 'STORAGE_FAILED'));
  });
});

test('the reader never leaves the archive root', async () => {
  await withFixture(async (root) => {
    const reader = new LocalSegmentReader();
    const read = async () => {
      for await (const _chunk of reader.read({ root, path: '../etc/passwd' }, 0, 10, new AbortController().signal)) {
        // nothing
      }
    };
    await assert.rejects(read(), (err) => isVigilError(err, 'INVALID_ARGUMENT'));
  });
});
