import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3Server, type TestS3Server } from '../../../test/helpers/s3-server.js';
import { S3SegmentStore } from './s3-store.js';

const MiB = 1024 * 1024;

describe('S3SegmentStore (s3rver on loopback)', () => {
  let dir: string;
  let s3: TestS3Server;
  let store: S3SegmentStore;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-s3-store-'));
    s3 = await startS3Server();
    store = new S3SegmentStore(s3.storageConfig(), { multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB });
  });

  after(async () => {
    store.close();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function readAll(key: string, offset: number, length: number): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const c of store.readRange(key, offset, length, AbortSignal.timeout(10_000))) chunks.push(c);
    return Buffer.concat(chunks);
  }

  const sizes = [
    { name: 'a single PUT', bytes: 300_000 },
    { name: 'a multipart upload (3 parts)', bytes: 12 * MiB + 7 },
  ];
  for (const { name, bytes } of sizes) {
    it(`uploads with ${name}, confirms it and reads any range back`, async () => {
      const data = randomBytes(bytes);
      const file = join(dir, `seg-${bytes}.mp4`);
      await writeFile(file, data);
      const key = store.keyFor(`cam/2026/01/31/12/seg-${bytes}.mp4`);
      assert.equal(key, `archive/cam/2026/01/31/12/seg-${bytes}.mp4`);
      const expected = await store.uploadFile(file, key, bytes, AbortSignal.timeout(60_000));
      assert.equal(await store.confirm(key, expected, AbortSignal.timeout(10_000)), true);
      assert.ok((await readAll(key, 0, bytes)).equals(data));
      assert.ok((await readAll(key, bytes - 1000, 1000)).equals(data.subarray(bytes - 1000)));
    });
  }

  it('refuses to confirm an object whose bytes differ from the local file (same size)', async () => {
    const data = randomBytes(50_000);
    const file = join(dir, 'corrupt.mp4');
    await writeFile(file, data);
    const key = store.keyFor('cam/corrupt.mp4');
    const expected = await store.uploadFile(file, key, data.byteLength, AbortSignal.timeout(10_000));
    const corrupted = Buffer.from(data);
    corrupted[25_000] = corrupted[25_000]! ^ 0xff;
    await store.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: corrupted }));
    assert.equal(await store.confirm(key, expected, AbortSignal.timeout(10_000)), false);
  });

  it('says an object that is not there is not confirmed, and deleting it twice is fine', async () => {
    const key = store.keyFor('cam/missing.mp4');
    assert.equal(await store.confirm(key, { sizeBytes: 1, etags: [] }, AbortSignal.timeout(10_000)), false);
    await store.delete(key);
    await store.delete(key);
  });

  it('refuses segment paths that would leave the prefix', () => {
    for (const path of ['../other/x.mp4', 'cam/../../x.mp4', '', 'cam//x.mp4']) {
      assert.throws(() => store.keyFor(path), /not a relative path/, path);
    }
  });
});
