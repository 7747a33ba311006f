import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { forEachDialect, sharedPostgres } from '../../../test/helpers/index-dialects.js';
import { postgresSkipReason } from '../../../test/helpers/postgres.js';
import { findFreePort } from '../../../test/helpers/free-port.js';
import { isVigilError } from '../../errors.js';
import { audioTrack, streamDefinition, videoTrack } from '../testing/fixtures.js';
import { type Database, openDatabase } from './database.js';
import { describeIndexTarget, dialectOf, indexTargetFor, redactDatabaseUrl } from './dialect.js';
import { insertLock, listLocks } from './locks.repo.js';
import { parseInt8, parseNumeric } from './postgres-dialect.js';
import { deleteSegment, insertSegment, listSegmentRoots, streamDepth } from './segments.repo.js';
import { listStreams, upsertStream } from './streams.repo.js';

const BYTE_ORDER = ['Cam9', 'a-cam', 'cam-2', 'cam1', 'cam_1'];

describe('index location', () => {
  it('reads a postgres:// or postgresql:// URL as PostgreSQL and anything else as an SQLite path', () => {
    assert.equal(indexTargetFor('postgres://u:p@h/db').dialect, 'postgres');
    assert.equal(indexTargetFor('POSTGRESQL://h/db').dialect, 'postgres');
    assert.deepEqual(indexTargetFor('/data/index.sqlite'), { dialect: 'sqlite', path: '/data/index.sqlite' });
    assert.deepEqual(indexTargetFor(':memory:'), { dialect: 'sqlite', path: ':memory:' });
  });

  it('hides the password (and password-like query parameters) when it names a database', () => {
    assert.equal(redactDatabaseUrl('postgres://vigil:s3cret@db:5432/vigil'), 'postgres://vigil:***@db:5432/vigil');
    assert.equal(redactDatabaseUrl('postgres://db/vigil?password=s3cret&sslmode=require').includes('s3cret'), false);
    assert.equal(redactDatabaseUrl('postgres://vigil@db/vigil'), 'postgres://vigil@db/vigil');
    assert.equal(redactDatabaseUrl('postgres://vigil:s3cret@[bad').includes('s3cret'), false);
    assert.equal(describeIndexTarget({ dialect: 'postgres', url: 'postgres://a:b@h/d' }), 'postgres://a:***@h/d');
  });
});

describe('PostgreSQL number parsing', () => {
  const cases: Array<{ text: string; int8?: number; numeric?: number }> = [
    { text: '0', int8: 0, numeric: 0 },
    { text: '1700000000000000', int8: 1_700_000_000_000_000, numeric: 1_700_000_000_000_000 },
    { text: '-9007199254740991', int8: -9007199254740991, numeric: -9007199254740991 },
    { text: '9007199254740991', int8: 9007199254740991, numeric: 9007199254740991 },
    { text: '9007199254740992' },
    { text: '-9223372036854775808' },
    { text: '12.5', numeric: 12.5 },
  ];
  for (const c of cases) {
    it(`bigint/numeric ${c.text}: ${c.int8 ?? c.numeric ?? 'refused'}`, () => {
      if (c.int8 === undefined) assert.throws(() => parseInt8(c.text), /beyond what a JavaScript number holds/);
      else assert.equal(parseInt8(c.text), c.int8);
      if (c.numeric === undefined) assert.throws(() => parseNumeric(c.text), /beyond/);
      else assert.equal(parseNumeric(c.text), c.numeric);
    });
  }
});

forEachDialect('index dialect parity', (d) => {
  let db: Kysely<Database>;
  before(async () => {
    db = await d.open();
  });
  after(async () => {
    await db.destroy();
  });

  it(`opens the ${d.dialect} dialect`, () => {
    assert.equal(dialectOf(db), d.dialect);
  });

  it('lists stream names, roots and lock streams in byte order, whatever the database locale', async () => {
    for (const name of [...BYTE_ORDER].reverse()) await upsertStream(db, streamDefinition(name), 1);
    assert.deepEqual(
      (await listStreams(db)).map((s) => s.name),
      BYTE_ORDER,
    );
    for (const [i, root] of [...BYTE_ORDER].reverse().entries()) {
      await insertSegment(db, segmentAt(`/${root}`, `order/${i}.mp4`, 0, 0));
      await insertLock(db, { stream: root, fromUs: 0, durationUs: 1, createdAtUs: 1 });
    }
    assert.deepEqual(
      await listSegmentRoots(db),
      BYTE_ORDER.map((r) => `/${r}`),
    );
    assert.deepEqual(
      (await listLocks(db)).map((l) => l.stream),
      BYTE_ORDER,
    );
  });

  it('keeps µs near 2^52 exact and sums sizes past 2^32', async () => {
    const startUs = 2 ** 52 + 1;
    const big = 3_000_000_001;
    for (let i = 0; i < 3; i += 1) {
      await insertSegment(db, {
        ...segmentAt('/big', `big/${i}.mp4`, startUs + i, startUs + i + 1),
        stream: 'big',
        sizeBytes: big,
      });
    }
    const depth = await streamDepth(db, 'big');
    assert.deepEqual(depth, { fromUs: startUs, toUs: startUs + 3, sizeBytes: 3 * big, segments: 3 });
    assert.equal(typeof depth.sizeBytes, 'number');
  });

  it('never reuses the id of a deleted newest row', async () => {
    const a = await insertSegment(db, segmentAt('/ids', 'ids/a.mp4', 0, 0));
    await deleteSegment(db, a.id);
    const b = await insertSegment(db, segmentAt('/ids', 'ids/b.mp4', 0, 0));
    assert.ok(b.id > a.id, `${b.id} > ${a.id}`);
  });
});

describe('PostgreSQL index failures', { skip: postgresSkipReason() ?? false }, () => {
  it('refuses a bigint past 2^53 instead of rounding it', async () => {
    const db = await openDatabase(await (await sharedPostgres()).createDatabase());
    try {
      await assert.rejects(
        sql<{ v: number }>`select 9007199254740993::bigint as v`.execute(db),
        (err: unknown) => isVigilError(err, 'STORAGE_FAILED') && err.message.includes('9007199254740993'),
      );
      // The connection stays usable after the refused row.
      const { rows } = await sql<{ v: number }>`select 9007199254740991::bigint as v`.execute(db);
      assert.deepEqual(rows, [{ v: 9007199254740991 }]);
    } finally {
      await db.destroy();
    }
  });

  it('cancels a statement that runs past the statement timeout', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    const db = await openDatabase({ dialect: 'postgres', url, pool: { statementTimeoutMs: 100 } });
    try {
      await assert.rejects(sql`select pg_sleep(30)`.execute(db), /statement timeout/);
    } finally {
      await db.destroy();
    }
  });

  it('fails to open with the server named and the password hidden', async () => {
    const pg = await sharedPostgres();
    const wrong = pg.url().replace(/:[^:@/]+@/, ':wrong-secret@');
    await assert.rejects(openDatabase(wrong), (err: unknown) => {
      assert.ok(isVigilError(err, 'STORAGE_FAILED'));
      assert.match(err.message, /password authentication failed/);
      assert.ok(!err.message.includes('wrong-secret') && err.message.includes(':***@'), err.message);
      return true;
    });
    const closed = `postgres://vigil:closed-secret@127.0.0.1:${await findFreePort()}/vigil`;
    await assert.rejects(openDatabase(closed), (err: unknown) => {
      assert.ok(isVigilError(err, 'STORAGE_FAILED'));
      assert.ok(!err.message.includes('closed-secret'), err.message);
      return true;
    });
  });
});

function segmentAt(root: string, path: string, startUs: number, endUs: number) {
  return {
    stream: 'order',
    variant: 'main' as const,
    startUs,
    endUs,
    root,
    path,
    sizeBytes: 1,
    initSizeBytes: 1,
    tracks: [videoTrack, audioTrack],
    codecs: 'avc1.64001f,mp4a.40.2',
    closed: true,
  };
}
