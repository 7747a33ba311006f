import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { isVigilError } from '../errors.js';
import { type Database, openDatabase } from './index/database.js';
import { listFragments, listSegments } from './index/segments.repo.js';
import { deleteSegmentFile, filesystemUsage, openLocalSegment, readSlice } from './local-store.js';
import { makeTempDir, videoTrack } from './testing/fixtures.js';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0) * 1000;
const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('local segment store', () => {
  let db: Kysely<Database>;
  let root: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    root = join(tmp.dir, 'archive');
    db = await openDatabase(join(tmp.dir, 'index.sqlite'));
  });
  after(async () => {
    await db.destroy();
    await cleanup();
  });

  it('writes init then fragments, and indexes exactly what is on disk', async () => {
    const init = bytes(40, 1);
    const appender = await openLocalSegment(
      db,
      root,
      { stream: 'cam1', variant: 'main', startUs: T0, tracks: [videoTrack], initSegment: init },
      'avc1.64001f',
    );
    assert.equal(appender.segment.path, 'cam1/2026/03/01/10/20260301T100000.000Z.mp4');
    assert.equal(appender.segment.closed, false);

    await appender.appendFragment({
      sequenceNumber: 1,
      startUs: T0,
      endUs: T0 + 2_000_000,
      startsWithKeyframe: true,
      moof: bytes(20, 2),
      mdatChunks: [bytes(8, 3), bytes(100, 4), bytes(0, 9), bytes(50, 5)],
    });
    await appender.appendFragment({
      sequenceNumber: 2,
      startUs: T0 + 2_000_000,
      endUs: T0 + 3_500_000,
      startsWithKeyframe: false,
      moof: bytes(20, 6),
      mdatChunks: [bytes(8, 7), bytes(10, 8)],
    });
    await appender.close();
    await appender.close(); // a second close is harmless

    const file = await readFile(join(root, appender.segment.path));
    assert.equal(file.byteLength, 40 + 20 + 158 + 20 + 18);
    const [segment] = await listSegments(db, { stream: 'cam1' });
    assert.equal(segment?.sizeBytes, file.byteLength);
    assert.equal(segment?.endUs, T0 + 3_500_000);
    assert.equal(segment?.closed, true);
    assert.equal(segment?.codecs, 'avc1.64001f');
    const fragments = await listFragments(db, [appender.segment.id]);
    assert.deepEqual(
      fragments.map((f) => [f.moofOffset, f.moofSizeBytes, f.mdatSizeBytes]),
      [
        [40, 20, 158],
        [218, 20, 18],
      ],
    );
    assert.deepEqual(await readSlice(root, segment?.path ?? '', 218, 21), new Uint8Array(file.subarray(218, 239)));
    assert.equal((await readSlice(root, segment?.path ?? '', file.byteLength - 5, 100)).byteLength, 5);
    await assert.rejects(
      appender.appendFragment({
        sequenceNumber: 3,
        startUs: 0,
        endUs: 0,
        startsWithKeyframe: true,
        moof: bytes(1, 1),
        mdatChunks: [],
      }),
      (e) => isVigilError(e, 'CONFLICT'),
    );
  });

  it('refuses to open a second file for the same stream, variant and start', async () => {
    const seg = {
      stream: 'cam2',
      variant: 'main' as const,
      startUs: T0,
      tracks: [videoTrack],
      initSegment: bytes(4, 1),
    };
    const first = await openLocalSegment(db, root, seg, 'avc1');
    await assert.rejects(openLocalSegment(db, root, seg, 'avc1'), (e) => isVigilError(e, 'STORAGE_FAILED'));
    const sub = await openLocalSegment(db, root, { ...seg, variant: 'sub' }, 'avc1');
    assert.equal(sub.segment.path, 'cam2/2026/03/01/10/20260301T100000.000Z.sub.mp4');
    await first.close();
    await sub.close();
  });

  it('refuses stream names that would leave the root', async () => {
    await assert.rejects(
      openLocalSegment(
        db,
        root,
        { stream: '../x', variant: 'main', startUs: T0, tracks: [], initSegment: bytes(1, 1) },
        '',
      ),
      (e) => isVigilError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('deletes a file and the hour/day/month/year directories it leaves empty, not the stream dir', async () => {
    const a = await openLocalSegment(
      db,
      root,
      { stream: 'cam3', variant: 'main', startUs: T0, tracks: [], initSegment: bytes(1, 1) },
      '',
    );
    const b = await openLocalSegment(
      db,
      root,
      { stream: 'cam3', variant: 'main', startUs: T0 + 60_000_000, tracks: [], initSegment: bytes(1, 1) },
      '',
    );
    await a.close();
    await b.close();
    await deleteSegmentFile(root, a.segment.path);
    assert.deepEqual(await readdir(join(root, 'cam3/2026/03/01/10')), ['20260301T100100.000Z.mp4']);
    await deleteSegmentFile(root, b.segment.path);
    assert.deepEqual(await readdir(join(root, 'cam3')), []);
    await deleteSegmentFile(root, b.segment.path); // already gone is fine
    assert.ok((await stat(join(root, 'cam3'))).isDirectory());
  });

  it('reports the filesystem size and free space', async () => {
    const usage = await filesystemUsage(root);
    assert.ok(usage.totalBytes > 0);
    assert.ok(usage.availableBytes <= usage.freeBytes && usage.freeBytes <= usage.totalBytes);
  });
});
