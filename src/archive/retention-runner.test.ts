import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Archive } from './archive.js';
import { RetentionRunner, type RetentionLogger } from './retention-runner.js';
import { makeTempDir, streamDefinition } from './testing/fixtures.js';
import { writeVideoSegment } from './testing/segments.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 6, 1, 0, 0, 0) * 1000;

function memoryLogger(): RetentionLogger & { lines: Array<{ level: string; obj: object; msg?: string }> } {
  const lines: Array<{ level: string; obj: object; msg?: string }> = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

describe('RetentionRunner', () => {
  let archive: Archive;
  let databasePath: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    databasePath = join(tmp.dir, 'i.sqlite');
    archive = await Archive.open({ databasePath, defaultRoot: join(tmp.dir, 'archive') });
  });
  afterEach(async () => {
    await archive.close();
    await cleanup();
  });

  it('deletes expired segments by the stream definition, file and row, and logs the reason', async () => {
    await archive.saveStream(streamDefinition('cam1', { expirationSeconds: 3600 }));
    const old = await writeVideoSegment(archive, 'cam1', T0, 1);
    const recent = await writeVideoSegment(archive, 'cam1', T0 + 3000 * S, 1);
    const logger = memoryLogger();
    const runner = new RetentionRunner({ archive, logger, intervalMs: 60_000, now: () => T0 + 3700 * S });

    const result = await runner.runOnce();
    assert.deepEqual(result.deleted, [{ segmentId: old.segment.id, stream: 'cam1', reason: 'expired' }]);
    assert.equal(await exists(join(old.segment.root, old.segment.path)), false);
    assert.ok(await exists(join(recent.segment.root, recent.segment.path)));
    assert.deepEqual(await archive.ranges('cam1'), [{ fromUs: T0 + 3000 * S, durationUs: 2 * S }]);
    assert.equal(logger.lines.length, 1);
    assert.deepEqual(
      [logger.lines[0]?.level, (logger.lines[0]?.obj as { reason: string }).reason],
      ['info', 'expired'],
    );
    await runner.stop();
  });

  it('applies the global defaults to streams without a definition, and keeps locked segments', async () => {
    const a = await writeVideoSegment(archive, 'orphan', T0, 1);
    const b = await writeVideoSegment(archive, 'orphan', T0 + 10 * S, 1);
    await archive.addLock('orphan', T0, S);
    const runner = new RetentionRunner({
      archive,
      logger: memoryLogger(),
      intervalMs: 60_000,
      defaults: { maxAgeUs: 60 * S },
      now: () => T0 + 1000 * S,
    });
    const result = await runner.runOnce();
    assert.deepEqual(
      result.deleted.map((d) => d.segmentId),
      [b.segment.id],
    );
    assert.equal((await archive.segmentsInRange('orphan', 'main', T0, T0 + 1))[0]?.id, a.segment.id);
  });

  it('reports quota pressure when locks keep a stream over its limit, until it is relieved', async () => {
    const first = await writeVideoSegment(archive, 'cam2', T0, 2);
    await writeVideoSegment(archive, 'cam2', T0 + 4 * S, 2);
    const size = first.segment.sizeBytes;
    await archive.saveStream(streamDefinition('cam2', { diskLimitBytes: 100 }));
    await archive.addLock('cam2', T0, 10 * S);
    const logger = memoryLogger();
    const runner = new RetentionRunner({ archive, logger, intervalMs: 60_000, now: () => T0 + 20 * S });

    await runner.runOnce();
    const pressure = runner.pressure('cam2');
    assert.equal(pressure?.quotaBytes, 100);
    assert.equal(pressure?.usedBytes, pressure?.lockedBytes);
    assert.ok((pressure?.usedBytes ?? 0) > 2 * size);
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1);
    assert.equal(runner.pressure('other'), undefined);

    await archive.removeLock('cam2', T0, 10 * S);
    const result = await runner.runOnce();
    assert.equal(result.deleted.length, 2);
    assert.ok(result.deleted.every((d) => d.reason === 'quota'));
    assert.equal(runner.pressure('cam2'), undefined);
  });

  it('keeps a segment whose lock was added after planning but before deleting', async () => {
    await archive.saveStream(streamDefinition('cam4', { expirationSeconds: 60 }));
    const first = await writeVideoSegment(archive, 'cam4', T0, 1);
    const second = await writeVideoSegment(archive, 'cam4', T0 + 10 * S, 1);
    const third = await writeVideoSegment(archive, 'cam4', T0 + 20 * S, 1);
    const planned: number[] = [];
    const runner = new RetentionRunner({
      archive,
      logger: memoryLogger(),
      intervalMs: 60_000,
      now: () => T0 + 1000 * S,
      // The API adds a lock on the middle segment once the plan already holds it.
      afterPlan: async (plan) => {
        planned.push(...plan.deletions.map((d) => d.segmentId));
        await archive.addLock('cam4', T0 + 11 * S, S);
      },
    });

    const result = await runner.runOnce();
    assert.deepEqual(planned, [first.segment.id, second.segment.id, third.segment.id]);
    assert.deepEqual(result.keptLocked, [{ segmentId: second.segment.id, stream: 'cam4', reason: 'expired' }]);
    assert.deepEqual(
      result.deleted.map((d) => d.segmentId),
      [first.segment.id, third.segment.id],
    );
    assert.ok(await exists(join(second.segment.root, second.segment.path)));
    assert.equal(await exists(join(first.segment.root, first.segment.path)), false);
    assert.deepEqual(await archive.ranges('cam4'), [{ fromUs: T0 + 10 * S, durationUs: 2 * S }]);
  });

  it('never confirms a lock over a segment it then deletes, even one added between check and delete', async () => {
    await archive.saveStream(streamDefinition('cam5', { expirationSeconds: 60 }));
    const target = await writeVideoSegment(archive, 'cam5', T0, 1);
    const path = join(target.segment.root, target.segment.path);
    // An independent reader sees what is committed at the instant the lock is confirmed.
    const observer = new Database(databasePath, { readonly: true });
    let rowsWhenLockConfirmed: number | undefined;
    let lockAdded: Promise<unknown> | undefined;
    const runner = new RetentionRunner({
      archive,
      logger: memoryLogger(),
      intervalMs: 60_000,
      now: () => T0 + 1000 * S,
      afterLockCheck: async () => {
        // The API call lands right after the check: it must not complete
        // while the deletion can still go ahead.
        lockAdded = archive.addLock('cam5', T0, S).then(() => {
          rowsWhenLockConfirmed = (
            observer.prepare('SELECT count(*) AS n FROM segments WHERE id = ?').get(target.segment.id) as { n: number }
          ).n;
        });
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      },
    });
    try {
      const result = await runner.runOnce();
      await lockAdded;
      assert.deepEqual(
        result.deleted.map((d) => d.segmentId),
        [target.segment.id],
      );
      assert.equal(rowsWhenLockConfirmed, 0, 'the lock was confirmed only after the row was gone');
      assert.equal(await exists(path), false, 'the file is removed after the row');
      assert.equal((await archive.listLocks('cam5')).length, 1);
    } finally {
      observer.close();
    }
  });

  it('shares one pass between concurrent callers', async () => {
    await writeVideoSegment(archive, 'cam3', T0, 1);
    const runner = new RetentionRunner({
      archive,
      logger: memoryLogger(),
      intervalMs: 60_000,
      defaults: { maxAgeUs: 0 },
      now: () => T0 + 100 * S,
    });
    const [x, y] = await Promise.all([runner.runOnce(), runner.runOnce()]);
    assert.equal(x, y);
    assert.equal(x.deleted.length, 1);
    runner.start();
    await runner.stop();
  });
});
