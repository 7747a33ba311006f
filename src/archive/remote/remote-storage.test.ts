import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestClip } from '../../../test/helpers/media-check.js';
import { startS3Server, type TestS3Server } from '../../../test/helpers/s3-server.js';
import type { ClusterStorageConfig } from '../../config/cluster-schema.js';
import { createMediaEngine, type MediaEngine } from '../../media/index.js';
import { importFiles } from '../../record/import.js';
import { buildApp } from '../../serve/app.js';
import { BEARER, FakeRecording, TEST_AUTH } from '../../serve/testing/app-harness.js';
import { Archive } from '../archive.js';
import { segmentStorageOf } from '../index/segment-storage.repo.js';
import { resolveInsideRoot } from '../layout.js';
import { LocalSegmentReader } from '../segment-reader.js';
import type { SegmentByteReader, SegmentRecord } from '../types.js';
import { RemoteStorage } from './remote-storage.js';

const T0_US = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const CLIP_SECONDS = 6;
const SEGMENT_US = 2_000_000;

describe('segments in S3-compatible storage (s3rver on loopback)', () => {
  let dir: string;
  let clip: string;
  let s3: TestS3Server;
  let archive: Archive;
  let engine: MediaEngine;
  const local = new LocalSegmentReader();
  const remotes: RemoteStorage[] = [];

  function attach(overrides: Partial<ClusterStorageConfig>): RemoteStorage {
    const remote = new RemoteStorage(archive.db, s3.storageConfig(overrides), { minBackoffMs: 50, maxBackoffMs: 400 });
    remotes.push(remote);
    archive.useRemoteStorage(remote);
    return remote;
  }

  async function importClipAt(startUs: number): Promise<SegmentRecord[]> {
    await importFiles({ archive, engine, stream: 'cam', startUs, files: [clip], segmentDurationUs: SEGMENT_US });
    return archive.segmentsInRange('cam', 'main', startUs, startUs + CLIP_SECONDS * 1_000_000);
  }

  async function objectBytes(remote: RemoteStorage, segment: SegmentRecord): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    const key = remote.store.keyFor(segment.path);
    for await (const c of remote.store.readRange(key, 0, segment.sizeBytes, AbortSignal.timeout(10_000)))
      chunks.push(c);
    return Buffer.concat(chunks);
  }

  async function hasLocalFile(segment: SegmentRecord): Promise<boolean> {
    return access(resolveInsideRoot(segment.root, segment.path)).then(
      () => true,
      () => false,
    );
  }

  async function download(reader: SegmentByteReader, url: string, range?: string) {
    const app = buildApp({
      archive,
      recording: new FakeRecording(),
      auth: TEST_AUTH,
      media: { archive, reader, engine, timeZone: 'UTC' },
    });
    try {
      const res = await app.inject({
        method: 'GET',
        url,
        headers: range === undefined ? BEARER : { ...BEARER, range },
      });
      return { status: res.statusCode, length: res.headers['content-length'], body: res.rawPayload };
    } finally {
      await app.close();
    }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-remote-'));
    clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: CLIP_SECONDS });
    s3 = await startS3Server();
    archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
    engine = createMediaEngine();
  });

  after(async () => {
    for (const remote of remotes) await remote.stop();
    await local.close();
    await archive.close();
    await engine.close();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads each segment when it closes: the object holds the local file byte for byte', async () => {
    const remote = attach({ localCacheBytes: 1024 ** 4 });
    const segments = await importClipAt(T0_US);
    assert.ok(segments.length >= 3, `expected several segments, got ${segments.length}`);
    await remote.uploader.whenIdle();
    for (const s of segments) {
      assert.equal(await segmentStorageOf(archive.db, s.id), 'both', s.path);
      const file = await readFile(resolveInsideRoot(s.root, s.path));
      assert.ok((await objectBytes(remote, s)).equals(file), `${s.path}: object differs from the local file`);
    }
    await remote.stop();
  });

  // State shared by the next tests: a second clip recorded while uploads were off.
  const T1_US = T0_US + 60_000_000;
  let clip2: SegmentRecord[] = [];
  let localBytes = new Map<number, Buffer>();
  let fromDisk: { full: Buffer; length: string | undefined; slice: Buffer };
  const url = `/cam/archive-${T1_US / 1e6}-4.mp4`;
  const range = 'bytes=1000-40999';
  let restarted: RemoteStorage;

  it('after a restart, uploads closed segments never confirmed and keeps only the newest within the cache budget', async () => {
    // The previous storage is stopped: closed segments stay `local`, as after a crash before their upload.
    clip2 = await importClipAt(T1_US);
    for (const s of clip2) assert.equal(await segmentStorageOf(archive.db, s.id), 'local');
    localBytes = new Map(
      await Promise.all(clip2.map(async (s) => [s.id, await readFile(resolveInsideRoot(s.root, s.path))] as const)),
    );
    const full = await download(local, url);
    assert.equal(full.status, 200);
    const slice = await download(local, url, range);
    assert.equal(slice.status, 206);
    fromDisk = { full: full.body, length: full.length as string | undefined, slice: slice.body };

    const newest = clip2.at(-1)!;
    restarted = attach({ localCacheBytes: newest.sizeBytes });
    await restarted.start();
    await restarted.uploader.whenIdle();

    for (const s of await archive.listAllSegments()) {
      const storage = await segmentStorageOf(archive.db, s.id);
      if (s.id === newest.id) {
        assert.equal(storage, 'both');
        assert.equal(await hasLocalFile(s), true, 'the newest segment stays on disk');
      } else {
        assert.equal(storage, 'remote', s.path);
        assert.equal(await hasLocalFile(s), false, `${s.path}: its local copy should be gone`);
      }
    }
    for (const s of clip2) assert.ok((await objectBytes(restarted, s)).equals(localBytes.get(s.id)!), s.path);
  });

  it('serves a download of segments only in S3 byte for byte as before the upload, Range requests included', async () => {
    const reader = restarted.readerOver(local);
    const first = clip2[0]!;
    assert.equal(await hasLocalFile(first), false);
    const full = await download(reader, url);
    assert.equal(full.status, 200);
    assert.equal(full.length, fromDisk.length);
    assert.ok(full.body.equals(fromDisk.full), 'the download from S3 differs from the one made from disk');
    const slice = await download(reader, url, range);
    assert.equal(slice.status, 206);
    assert.ok(slice.body.equals(fromDisk.slice));
    assert.ok(slice.body.equals(fromDisk.full.subarray(1000, 41000)));
  });

  it('retries uploads while the server is down and uploads once it is back', async () => {
    const remote = attach({ localCacheBytes: 1024 ** 4 });
    await s3.stop();
    const failed = once(remote.uploader, 'failed');
    const segments = await importClipAt(T0_US + 120_000_000);
    await failed;
    for (const s of segments) assert.equal(await segmentStorageOf(archive.db, s.id), 'local');
    await s3.start();
    await remote.uploader.whenIdle();
    for (const s of segments) {
      assert.equal(await segmentStorageOf(archive.db, s.id), 'both');
      const file = await readFile(resolveInsideRoot(s.root, s.path));
      assert.ok((await objectBytes(remote, s)).equals(file), s.path);
    }
  });

  it('retention deletes the object before the row, and keeps the row while the object cannot be deleted', async () => {
    const remote = remotes.at(-1)!;
    const [first, second] = clip2;
    assert.ok(first !== undefined && second !== undefined);
    const key = remote.store.keyFor(first.path);
    // A single PUT: the ETag is the MD5 of the bytes.
    const md5 = createHash('md5').update(localBytes.get(first.id)!).digest('hex');
    const expected = { sizeBytes: first.sizeBytes, etags: [md5] };
    assert.equal(await remote.store.confirm(key, expected, AbortSignal.timeout(5_000)), true);

    await s3.stop();
    await assert.rejects(archive.removeSegmentUnlessLocked(first), /STORAGE_FAILED|deleting s3:\/\//);
    assert.equal(await segmentStorageOf(archive.db, first.id), 'remote', 'the row stays while S3 is down');
    await s3.start();

    assert.equal(await archive.removeSegmentUnlessLocked(first), 'deleted');
    assert.equal(await segmentStorageOf(archive.db, first.id), undefined);
    await assert.rejects(remote.store.readRange(key, 0, 1, AbortSignal.timeout(5_000))[Symbol.asyncIterator]().next());
    assert.equal(await remote.store.confirm(key, expected, AbortSignal.timeout(5_000)), false);

    await archive.addLock('cam', second.startUs, second.endUs - second.startUs);
    assert.equal(await archive.removeSegmentUnlessLocked(second), 'locked');
    assert.ok((await objectBytes(remote, second)).equals(localBytes.get(second.id)!));
  });
});
