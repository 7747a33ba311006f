import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../test/helpers/index-dialects.js';
import { Archive } from '../archive/archive.js';
import { markSegmentUploaded, segmentStorageOf } from '../archive/index/segment-storage.repo.js';
import { RetentionRunner } from '../archive/retention-runner.js';
import { makeTempDir, streamDefinition } from '../archive/testing/fixtures.js';
import { writeVideoSegment } from '../archive/testing/segments.js';
import { type Leadership, retentionLeadership } from './retention-leader.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 6, 1) * 1000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

forEachDialect('retention in a cluster', (d) => {
  let location: string;
  let dir: string;
  let cleanup: () => Promise<void>;
  const archives: Archive[] = [];
  const leaderships: Leadership[] = [];

  beforeEach(async () => {
    const temp = await makeTempDir('vigil-cluster-retention-');
    dir = temp.dir;
    cleanup = temp.cleanup;
    location = await d.newLocation();
  });

  afterEach(async () => {
    for (const l of leaderships.splice(0)) await l.stop();
    for (const a of archives.splice(0)) await a.close();
    await cleanup();
  });

  async function openNode(): Promise<{ archive: Archive; leadership: Leadership }> {
    const archive = await Archive.open({ databasePath: location, defaultRoot: join(dir, 'archive') });
    archives.push(archive);
    const leadership = retentionLeadership(archive.db);
    leaderships.push(leadership);
    return { archive, leadership };
  }

  it('lets one node lead retention at a time, and another take over when it stops', async () => {
    const a = await openNode();
    const b = await openNode();
    if (d.dialect === 'sqlite') {
      // One node's own file: it always leads.
      assert.equal(await a.leadership.isLeader(), true);
      return;
    }
    assert.equal(await a.leadership.isLeader(), true);
    assert.equal(await b.leadership.isLeader(), false);
    assert.equal(await a.leadership.isLeader(), true, 'the leader keeps the lead across passes');
    assert.equal(await b.leadership.isLeader(), false);

    // Only the leader's pass deletes.
    await a.archive.saveStream(streamDefinition('cam1', { expirationSeconds: 3600 }));
    const old = await writeVideoSegment(a.archive, 'cam1', T0, 1);
    const runner = (archive: Archive, leadership: Leadership): RetentionRunner =>
      new RetentionRunner({
        archive,
        logger: quiet,
        intervalMs: 60_000,
        now: () => T0 + 7200 * S,
        leader: () => leadership.isLeader(),
      });
    assert.deepEqual((await runner(b.archive, b.leadership).runOnce()).deleted, []);
    assert.ok(await exists(join(old.segment.root, old.segment.path)));

    await a.leadership.stop();
    assert.equal(await a.leadership.isLeader(), false);
    assert.equal(await b.leadership.isLeader(), true);
    assert.deepEqual((await runner(b.archive, b.leadership).runOnce()).deleted, [
      { segmentId: old.segment.id, stream: 'cam1', reason: 'expired' },
    ]);
  });

  it('never deletes a segment whose upload is not confirmed while remote storage is configured', async () => {
    const { archive } = await openNode();
    await archive.saveStream(streamDefinition('cam1', { expirationSeconds: 3600 }));
    const pending = await writeVideoSegment(archive, 'cam1', T0, 1);
    const uploaded = await writeVideoSegment(archive, 'cam1', T0 + 10 * S, 1);
    assert.equal(await markSegmentUploaded(archive.db, uploaded.segment.id), true);
    const runner = new RetentionRunner({
      archive,
      logger: quiet,
      intervalMs: 60_000,
      now: () => T0 + 7200 * S,
      keepUnconfirmedUploads: true,
    });

    const first = await runner.runOnce();
    assert.deepEqual(first.deleted, [{ segmentId: uploaded.segment.id, stream: 'cam1', reason: 'expired' }]);
    assert.equal(await segmentStorageOf(archive.db, pending.segment.id), 'local');
    assert.ok(await exists(join(pending.segment.root, pending.segment.path)), 'the only copy stays on disk');

    // Once the uploader confirms it, the next pass takes it.
    assert.equal(await markSegmentUploaded(archive.db, pending.segment.id), true);
    const second = await runner.runOnce();
    assert.deepEqual(second.deleted, [{ segmentId: pending.segment.id, stream: 'cam1', reason: 'expired' }]);
  });
});
