/**
 * Retention's lock check and delete against a lock added in between, on both
 * dialects. SQLite serializes them through its single connection; PostgreSQL
 * has a pool, where only the stream lock guard keeps the promise that no
 * lock is ever confirmed over a segment deleted afterwards.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import { Archive } from '../archive.js';
import { writeVideoSegment } from '../testing/segments.js';
import type { SegmentRecord } from '../types.js';
import { type Database, openDatabase } from './database.js';
import { findSegmentById } from './segments.repo.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 6, 1, 0, 0, 0) * 1000;

async function segmentRows(observer: Kysely<Database>, id: number): Promise<number> {
  const row = await observer
    .selectFrom('segments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The segment as the index holds it once written (its end grew with each fragment). */
async function writtenSegment(archive: Archive, stream: string): Promise<SegmentRecord> {
  const written = await writeVideoSegment(archive, stream, T0, 1);
  const segment = await findSegmentById(archive.db, written.segment.id);
  assert.ok(segment !== undefined && segment.endUs > segment.startUs);
  return segment;
}

/** Resolves once a PostgreSQL session waits on an advisory lock. */
async function someoneWaitsOnAdvisoryLock(observer: Kysely<Database>, done: () => boolean): Promise<void> {
  while (!done()) {
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from pg_locks where locktype = 'advisory' and not granted`.execute(observer);
    if (Number(rows[0]?.n) > 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

forEachDialect('stream lock guard', (d) => {
  let archive: Archive;
  let observer: Kysely<Database>;
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-guard-'));
    const location = await d.newLocation();
    archive = await Archive.open({ databasePath: location, defaultRoot: join(dir, 'archive') });
    // A second connection (pool): sees only what is committed.
    observer = await openDatabase(location);
  });
  afterEach(async () => {
    await observer.destroy();
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('confirms a lock added between the check and the delete only once the segment row is gone', async () => {
    const target = await writtenSegment(archive, 'cam5');
    let lockConfirmed = false;
    let rowsWhenLockConfirmed: number | undefined;
    let lockAdded: Promise<void> | undefined;
    const outcome = await archive.removeSegmentUnlessLocked(target, {
      afterLockCheck: async () => {
        lockAdded = archive.addLock('cam5', T0, S).then(async () => {
          lockConfirmed = true;
          // Rows only ever disappear: 1 here means the lock was confirmed while the row still stood.
          rowsWhenLockConfirmed = await segmentRows(observer, target.id);
        });
        // Let the lock reach the database: it either completes, or waits for this transaction.
        if (d.dialect === 'postgres') await someoneWaitsOnAdvisoryLock(observer, () => lockConfirmed);
        else for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      },
    });
    await lockAdded;
    assert.equal(outcome, 'deleted');
    assert.equal(rowsWhenLockConfirmed, 0, 'the lock was confirmed only after the row was gone');
    assert.equal((await archive.listLocks('cam5')).length, 1);
  });

  it('keeps a segment whose lock was confirmed before the check', async () => {
    const target = await writtenSegment(archive, 'cam6');
    await archive.addLock('cam6', T0, S);
    assert.equal(await archive.removeSegmentUnlessLocked(target), 'locked');
    assert.equal(await segmentRows(observer, target.id), 1);
  });

  it('lets locks of other streams through while one stream is being checked', async () => {
    const target = await writtenSegment(archive, 'cam7');
    let other: Awaited<ReturnType<Archive['addLock']>> | undefined;
    await archive.removeSegmentUnlessLocked(target, {
      afterLockCheck: async () => {
        // Would wait for ever (until the statement timeout) if the guard were global.
        if (d.dialect === 'postgres') other = await archive.addLock('cam8', T0, S);
      },
    });
    if (d.dialect === 'postgres') assert.equal(other?.stream, 'cam8');
  });
});
