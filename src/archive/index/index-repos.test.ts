import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Kysely } from 'kysely';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import { audioTrack, streamDefinition, videoTrack } from '../testing/fixtures.js';
import { type Database, migrateToEmpty, openDatabase } from './database.js';
import { insertLock, listLocks, replaceLocks } from './locks.repo.js';
import {
  appendFragment,
  closeSegment,
  deleteSegment,
  insertSegment,
  listFragments,
  listSegments,
  streamDepth,
  type SegmentInsert,
} from './segments.repo.js';
import { deleteStream, findStream, listStreams, upsertStream } from './streams.repo.js';

const T0 = 1_700_000_000_000_000;

function segment(overrides: Partial<SegmentInsert> = {}): SegmentInsert {
  return {
    stream: 'cam1',
    variant: 'main',
    startUs: T0,
    endUs: T0,
    root: '/archive',
    path: `cam1/${overrides.startUs ?? T0}.mp4`,
    sizeBytes: 100,
    initSizeBytes: 100,
    tracks: [videoTrack, audioTrack],
    codecs: 'avc1.64001f,mp4a.40.2',
    closed: false,
    ...overrides,
  };
}

forEachDialect('archive index', (d) => {
  let db: Kysely<Database>;

  before(async () => {
    db = await d.open();
  });
  after(async () => {
    await db.destroy();
  });

  it('saves, updates, lists and deletes stream definitions', async () => {
    const def = streamDefinition('cam1', { expirationSeconds: 3600 });
    await upsertStream(db, def, T0);
    assert.deepEqual(await findStream(db, 'cam1'), def);
    const changed = { ...def, title: 'Front door' };
    await upsertStream(db, changed, T0 + 1);
    await upsertStream(db, streamDefinition('a-cam'), T0);
    assert.deepEqual(
      (await listStreams(db)).map((s) => [s.name, s.title]),
      [
        ['a-cam', 'a-cam'],
        ['cam1', 'Front door'],
      ],
    );
    assert.equal(await deleteStream(db, 'a-cam'), true);
    assert.equal(await deleteStream(db, 'a-cam'), false);
    assert.equal(await findStream(db, 'a-cam'), undefined);
  });

  it('inserts a segment, appends fragments in a transaction and grows the segment', async () => {
    const s = await insertSegment(db, segment({ path: 'cam1/append.mp4' }));
    assert.equal(s.closed, false);
    assert.deepEqual(s.tracks, [videoTrack, audioTrack]);
    const moof = new Uint8Array([1, 2, 3, 4]);
    for (const [i, offset] of [100, 1100].entries()) {
      await db.transaction().execute((trx) =>
        appendFragment(trx, s.id, {
          sequenceNumber: i + 1,
          startUs: T0 + i * 2_000_000,
          endUs: T0 + (i + 1) * 2_000_000,
          moofOffset: offset,
          moofSizeBytes: 200,
          mdatSizeBytes: 800,
          startsWithKeyframe: i === 0,
          moof,
        }),
      );
    }
    await closeSegment(db, s.id);
    const [stored] = await listSegments(db, { stream: 'cam1', fromUs: T0, toUs: T0 + 1 });
    assert.equal(stored?.endUs, T0 + 4_000_000);
    assert.equal(stored?.sizeBytes, 2100);
    assert.equal(stored?.closed, true);
    const fragments = await listFragments(db, [s.id]);
    assert.deepEqual(
      fragments.map((f) => [f.sequenceNumber, f.moofOffset, f.startsWithKeyframe]),
      [
        [1, 100, true],
        [2, 1100, false],
      ],
    );
    assert.deepEqual([...(fragments[0]?.moof ?? [])], [1, 2, 3, 4]);

    await deleteSegment(db, s.id);
    assert.deepEqual(await listFragments(db, [s.id]), [], 'fragments are deleted with their segment');
  });

  it('refuses two segments at the same root and path', async () => {
    await insertSegment(db, segment({ path: 'cam1/dup.mp4' }));
    await assert.rejects(insertSegment(db, segment({ path: 'cam1/dup.mp4' })));
  });

  it('lists segments overlapping a range, ordered by start, filtered by variant', async () => {
    const base = T0 + 1_000_000_000;
    for (const [i, variant] of (['main', 'sub', 'main', 'main'] as const).entries()) {
      await insertSegment(
        db,
        segment({
          stream: 'ranges',
          variant,
          startUs: base + i * 60_000_000,
          endUs: base + (i + 1) * 60_000_000,
          path: `ranges/${i}.mp4`,
        }),
      );
    }
    const found = await listSegments(db, {
      stream: 'ranges',
      variant: 'main',
      fromUs: base + 60_000_000,
      toUs: base + 180_000_001,
    });
    assert.deepEqual(
      found.map((s) => s.path),
      ['ranges/2.mp4', 'ranges/3.mp4'],
    );
    const depth = await streamDepth(db, 'ranges');
    assert.deepEqual(depth, { fromUs: base, toUs: base + 240_000_000, sizeBytes: 400, segments: 4 });
    assert.deepEqual(await streamDepth(db, 'nothing'), { sizeBytes: 0, segments: 0 });
  });

  it('stores locks and replaces them atomically', async () => {
    const a = await insertLock(db, { stream: 'cam1', fromUs: 10, durationUs: 100, createdAtUs: T0 });
    await insertLock(db, { stream: 'cam2', fromUs: 5, durationUs: 1, createdAtUs: T0 });
    await db
      .transaction()
      .execute((trx) => replaceLocks(trx, [a.id], [{ stream: 'cam1', fromUs: 10, durationUs: 20, createdAtUs: T0 }]));
    assert.deepEqual(
      (await listLocks(db, 'cam1')).map((l) => [l.fromUs, l.durationUs]),
      [[10, 20]],
    );
    assert.equal((await listLocks(db)).length, 2);
  });

  it('migrates down to an empty schema and back up', async () => {
    const location = await d.newLocation();
    const other = await openDatabase(location);
    await migrateToEmpty(other);
    const tables = await other.introspection.getTables();
    assert.deepEqual(
      tables.map((t) => t.name).filter((n) => !n.startsWith('kysely_')),
      [],
    );
    await other.destroy();
    const again = await openDatabase(location);
    assert.equal((await listSegments(again)).length, 0);
    await again.destroy();
  });
});
