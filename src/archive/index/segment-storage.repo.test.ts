import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Kysely } from 'kysely';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import { videoTrack } from '../testing/fixtures.js';
import { type Database, migrateToEmpty, migrateToLatest } from './database.js';
import {
  listLocalCopies,
  listUnconfirmedSegmentIds,
  lockSegmentStorage,
  markSegmentRemoteOnly,
  markSegmentUploaded,
  segmentStorageOf,
} from './segment-storage.repo.js';
import { deleteSegment, insertSegment } from './segments.repo.js';

const T0 = 1_700_000_000_000_000;

forEachDialect('segment storage column', (d) => {
  let db: Kysely<Database>;
  before(async () => {
    db = await d.open();
  });
  after(async () => {
    await db.destroy();
  });

  async function add(i: number, closed = true) {
    const startUs = T0 + i * 60_000_000;
    return insertSegment(db, {
      stream: 'cam',
      variant: 'main',
      startUs,
      endUs: startUs + 60_000_000,
      root: '/archive',
      path: `cam/${startUs}.mp4`,
      sizeBytes: 1000 + i,
      initSizeBytes: 100,
      tracks: [videoTrack],
      codecs: 'avc1.64001f',
      closed,
    });
  }

  it('starts local; an upload is confirmed once; eviction needs a confirmed upload; a deleted row is reported', async () => {
    const a = await add(0);
    const b = await add(1);
    const open = await add(2, false);
    assert.equal(await segmentStorageOf(db, a.id), 'local');
    assert.deepEqual(
      await listUnconfirmedSegmentIds(db),
      [a.id, b.id],
      'closed local segments, oldest first; the open one waits for its close',
    );
    assert.equal(await markSegmentRemoteOnly(db, a.id), false, 'an unconfirmed segment is never made remote-only');
    assert.equal(await markSegmentUploaded(db, a.id), true);
    assert.equal(await markSegmentUploaded(db, a.id), false);
    assert.deepEqual(
      (await listLocalCopies(db)).map((c) => [c.segment.id, c.storage]),
      [
        [b.id, 'local'],
        [a.id, 'both'],
      ],
    );
    assert.equal(await markSegmentRemoteOnly(db, a.id), true);
    assert.equal(await db.transaction().execute((trx) => lockSegmentStorage(trx, a.id)), 'remote');
    await deleteSegment(db, b.id);
    assert.equal(await markSegmentUploaded(db, b.id), false, 'a row deleted meanwhile');
    assert.equal(await segmentStorageOf(db, b.id), undefined);
    assert.equal(await segmentStorageOf(db, open.id), 'local');
  });

  it('migrates down and up again', async () => {
    await migrateToEmpty(db);
    await migrateToLatest(db);
    const s = await add(5);
    assert.equal(await segmentStorageOf(db, s.id), 'local');
  });
});
