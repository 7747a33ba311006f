import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive, LocalSegmentReader } from '../../../archive/index.js';
import { createMediaEngine } from '../../../media/index.js';
import { importFiles } from '../../../record/import.js';
import { makeTestClip } from '../../../../test/helpers/media-check.js';
import { buildApp } from '../../app.js';
import type { MediaUsage } from '../../deps.js';
import { BEARER, FakeRecording, TEST_AUTH } from '../../testing/app-harness.js';

test('each media response reports its bytes by origin: generated header from RAM, payload from disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-usage-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  const engine = createMediaEngine();
  const usage: MediaUsage[] = [];
  const app = buildApp({
    archive,
    recording: new FakeRecording(),
    auth: TEST_AUTH,
    media: { archive, reader: new LocalSegmentReader(), engine, timeZone: 'UTC', onServed: (u) => usage.push(u) },
  });
  try {
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 6 });
    const startUs = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
    await importFiles({ archive, engine, stream: 'cam', startUs, files: [clip], segmentDurationUs: 4_000_000 });
    const from = startUs / 1e6 + 1;
    const res = await app.inject({ method: 'GET', url: `/cam/archive-${from}-4.mp4`, headers: BEARER });
    assert.equal(res.statusCode, 200);
    const body = res.rawPayload;
    await new Promise((r) => setImmediate(r));
    const [download] = usage;
    assert.equal(download?.kind, 'archive');
    assert.equal(download?.stream, 'cam');
    assert.equal(download?.dvrUtcUs, from * 1e6);
    assert.ok(download!.served.fromRam > 0 && download!.served.fromDisk > 0);
    assert.equal(download!.served.fromRam + download!.served.fromDisk + download!.served.fromRemote, body.length);
  } finally {
    await app.close();
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
});
