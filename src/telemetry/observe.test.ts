import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive, RetentionRunner } from '../archive/index.js';
import { createMediaEngine } from '../media/index.js';
import { importFiles } from '../record/import.js';
import { makeTestClip } from '../../test/helpers/media-check.js';
import type { DiskPressureEvent, RetentionDeletedEvent, VigilEvent } from './events.js';
import { Telemetry } from './telemetry.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

test('retention: each deleted segment is a retention_deleted event; a stream stuck over quota by a lock is one disk_pressure event', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-observe-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  const engine = createMediaEngine();
  try {
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 6 });
    const startUs = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
    await importFiles({
      archive,
      engine,
      stream: 'cam',
      startUs,
      files: [clip],
      segmentDurationUs: 2_000_000,
    });
    // As indexed (the import's own records are from when each segment opened).
    const segments = await archive.listAllSegments();
    assert.ok(segments.length >= 3);
    const telemetry = new Telemetry({ archive });
    const seen: VigilEvent[] = [];
    telemetry.bus.on((e) => seen.push(e));
    const api = telemetry.withLockEvents(archive);
    // The newest segment is locked: a quota of 1 byte deletes the others and is still exceeded.
    const newest = segments.at(-1)!;
    await api.addLock('cam', newest.startUs, 1_000_000);
    const runner = new RetentionRunner({
      archive,
      logger: silent,
      intervalMs: 60_000,
      defaults: { quotaBytes: 1 },
      ...telemetry.retention(),
    });
    const result = await runner.runOnce();
    await runner.runOnce();

    const deleted = seen.filter((e): e is RetentionDeletedEvent => e.event === 'retention_deleted');
    assert.deepEqual(
      deleted.map((e) => [e.segment_id, e.reason]),
      result.deleted.map((d) => [d.segmentId, d.reason]),
    );
    const bySegment = new Map(segments.map((s) => [s.id, s]));
    for (const e of deleted) assert.equal(e.bytes, bySegment.get(e.segment_id)!.sizeBytes);
    const pressure = seen.filter((e): e is DiskPressureEvent => e.event === 'disk_pressure');
    assert.deepEqual(
      pressure.map((e) => [e.stream, e.quota_bytes, e.used_bytes, e.locked_bytes]),
      [['cam', 1, newest.sizeBytes, newest.sizeBytes]],
      'announced when the stream comes under pressure, not again on the next pass',
    );
    assert.deepEqual(
      seen.filter((e) => e.event === 'lock_changed').map((e) => e.stream),
      ['cam'],
    );
    const metrics = (await telemetry.metrics.render()).text;
    const deletedBytes = deleted.reduce((a, e) => a + e.bytes, 0);
    assert.match(
      metrics,
      new RegExp(`^vigil_retention_deleted_bytes_total\\{stream="cam",reason="quota"\\} ${deletedBytes}$`, 'm'),
    );
    await telemetry.stop();
  } finally {
    await archive.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
});
