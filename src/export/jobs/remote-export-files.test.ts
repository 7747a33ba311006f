import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfigForTests } from '../../../test/helpers/export-config.js';
import { makeTestClip, probeDurationSeconds } from '../../../test/helpers/media-check.js';
import { startS3Server, type TestS3Server } from '../../../test/helpers/s3-server.js';
import { Archive, LocalSegmentReader } from '../../archive/index.js';
import { toStreamDefinition } from '../../config/stream-schema.js';
import { createMediaEngine, type MediaEngine } from '../../media/index.js';
import { importFiles } from '../../record/import.js';
import { buildApp } from '../../serve/app.js';
import { BEARER, FakeRecording, TEST_AUTH } from '../../serve/testing/app-harness.js';
import { ExportJobs, streamsOfArchive, type ExportJobRecord, type ExportJobsOptions } from './export-jobs.js';
import { transcodeExportJob } from './transcode-job.js';

const START_US = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const FROM_S = START_US / 1e6 + 2;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('export files in cluster storage (s3rver on loopback)', () => {
  let dir: string;
  let s3: TestS3Server;
  let archive: Archive;
  let engine: MediaEngine;
  const reader = new LocalSegmentReader();
  let embedded: { job: ExportJobRecord; bytes: Buffer };

  /** An export service as one node runs it: its own export dir, the shared index and bucket. */
  function node(name: string, overrides: Partial<ExportJobsOptions> = {}): ExportJobs {
    return new ExportJobs({
      db: archive.db,
      source: { archive, reader },
      config: defaultConfigForTests([join(dir, name, 'exports')]),
      timeZone: 'UTC',
      findStream: streamsOfArchive(archive),
      transcode: transcodeExportJob,
      fileStorage: s3.storageConfig(),
      fileStorageOptions: { uploadAttempts: 2, retryDelayMs: 50, s3: { maxAttempts: 1 } },
      ...overrides,
    });
  }

  async function exportRange(jobs: ExportJobs): Promise<ExportJobRecord> {
    const queued = await jobs.submit({ stream: 'cam', start: FROM_S, duration: 6 }, { isAdmin: true });
    return jobs.queue.whenFinished(queued.id);
  }

  async function download(jobs: ExportJobs, id: string, range?: string) {
    const app = buildApp({ archive, recording: new FakeRecording(), auth: TEST_AUTH, exports: jobs });
    try {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/exports/${id}/file`,
        headers: range === undefined ? BEARER : { ...BEARER, range },
      });
      return { status: res.statusCode, headers: res.headers, body: res.rawPayload };
    } finally {
      await app.close();
    }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-export-s3-'));
    s3 = await startS3Server();
    archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
    engine = createMediaEngine();
    await archive.saveStream(toStreamDefinition('cam', { url: 'rtsp://camera.invalid/main', title: 'Gate' }));
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 12 });
    await importFiles({ archive, engine, stream: 'cam', startUs: START_US, files: [clip], segmentDurationUs: 4e6 });
    const local = node('embedded', { fileStorage: undefined });
    await local.start();
    const job = await exportRange(local);
    await local.stop();
    assert.equal(job.state, 'success', JSON.stringify(job.error));
    embedded = { job, bytes: await readFile(job.filePath) };
  });

  after(async () => {
    await reader.close();
    await archive.close();
    await engine.close();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads a finished copy export, serves it from any node with ranges, and deletes it with the job', async () => {
    const exporter = node('exporter');
    const api = node('api');
    await exporter.start();
    try {
      const job = await exportRange(exporter);
      assert.equal(job.state, 'success', JSON.stringify(job.error));
      assert.equal(job.bytes, embedded.bytes.byteLength);
      assert.ok(Math.abs((await probeDurationSeconds(embedded.job.filePath)) - 6) <= 0.05);

      const key = `archive/exports/${job.id}/${job.spec.fileName}`;
      assert.equal(await exporter.fileLocationOf(job.id), `s3://${s3.bucket}/${key}`);
      assert.equal(await api.fileLocationOf(job.id), `s3://${s3.bucket}/${key}`);
      const objects = exporter.remoteFiles!.objects;
      assert.equal(await objects.sizeOf(key, AbortSignal.timeout(5_000)), embedded.bytes.byteLength);
      const stored = await collect(exporter, key, embedded.bytes.byteLength);
      assert.equal(sha256(stored), sha256(embedded.bytes), 'the object differs from the embedded-mode export');
      assert.equal(await exists(job.filePath), false, "the exporter's local copy is removed once stored");

      // The API node never had the file: it streams it from the bucket.
      const full = await download(api, job.id);
      assert.equal(full.status, 200);
      assert.equal(full.headers['content-length'], String(embedded.bytes.byteLength));
      assert.equal(full.headers['accept-ranges'], 'bytes');
      assert.equal(full.headers['content-type'], 'video/mp4');
      assert.equal(full.headers['content-disposition'], `attachment; filename=${job.spec.fileName}`);
      assert.equal(sha256(full.body), sha256(embedded.bytes));

      const slice = await download(api, job.id, 'bytes=1000-40999');
      assert.equal(slice.status, 206);
      assert.equal(slice.headers['content-range'], `bytes 1000-40999/${embedded.bytes.byteLength}`);
      assert.equal(slice.headers['content-length'], '40000');
      assert.ok(slice.body.equals(embedded.bytes.subarray(1000, 41000)));

      const suffix = await download(api, job.id, 'bytes=-500');
      assert.equal(suffix.status, 206);
      assert.ok(suffix.body.equals(embedded.bytes.subarray(embedded.bytes.byteLength - 500)));

      const outside = await download(api, job.id, `bytes=${embedded.bytes.byteLength}-`);
      assert.equal(outside.status, 416);
      assert.equal(outside.headers['content-range'], `bytes */${embedded.bytes.byteLength}`);

      const app = buildApp({
        archive,
        recording: new FakeRecording(),
        auth: TEST_AUTH,
        exports: api,
        media: { archive, reader, engine, timeZone: 'UTC' },
      });
      const picture = await app.inject({ url: `/api/v1/exports/${job.id}/thumbnail.jpg`, headers: BEARER });
      assert.equal(picture.statusCode, 200, picture.body);
      assert.equal(picture.headers['content-type'], 'image/jpeg');
      const removed = await app.inject({ method: 'DELETE', url: `/api/v1/exports/${job.id}`, headers: BEARER });
      await app.close();
      assert.equal(removed.statusCode, 200);
      assert.equal(await api.remoteFiles!.objects.sizeOf(key, AbortSignal.timeout(5_000)), undefined);
      assert.equal(await api.get(job.id), undefined);
    } finally {
      await exporter.stop();
      await api.stop();
    }
  });

  it('keeps the object of a job the task list removes by itself (an export is never lost to a timer)', async () => {
    // Auto-removal 60 s after success: the timer does not outlive stop(), so the next start removes the job.
    const autoRemove = (removeFinishedAfterMs: number) => ({
      config: {
        ...defaultConfigForTests([join(dir, 'auto', 'exports')]),
        cancelTaskWithStates: ['success' as const],
        removeFinishedAfterMs,
      },
    });
    const first = node('auto', autoRemove(60_000));
    await first.start();
    const job = await exportRange(first);
    await first.stop();
    assert.equal(job.state, 'success', JSON.stringify(job.error));
    const key = `archive/exports/${job.id}/${job.spec.fileName}`;
    const probe = node('probe');
    const sizeOf = () => probe.remoteFiles!.objects.sizeOf(key, AbortSignal.timeout(5_000));
    try {
      assert.equal(await sizeOf(), embedded.bytes.byteLength);
      const next = node('auto', autoRemove(60_000));
      await next.start();
      await next.stop();
      assert.equal(await probe.get(job.id), undefined);
      assert.equal(await sizeOf(), embedded.bytes.byteLength);
    } finally {
      await probe.stop();
    }
  });

  it('fails the job with STORAGE_FAILED when the bucket does not answer, leaving no file behind', async () => {
    const jobs = node('down');
    await jobs.start();
    await s3.stop();
    try {
      const job = await exportRange(jobs);
      assert.equal(job.state, 'error');
      assert.equal(job.error?.code, 'STORAGE_FAILED');
      assert.match(job.error?.message ?? '', /could not be stored at s3:\/\/vigil-test\/archive\/exports\//);
      assert.match(job.error?.message ?? '', /after 2 attempts/);
      assert.equal(await exists(job.filePath), false);
      assert.equal(await jobs.fileLocationOf(job.id), undefined);
      const res = await download(jobs, job.id);
      assert.equal(res.status, 409);
    } finally {
      await s3.start();
      await jobs.stop();
    }
  });
});

async function collect(jobs: ExportJobs, key: string, length: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of jobs.remoteFiles!.objects.store.readRange(key, 0, length, AbortSignal.timeout(10_000))) {
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
