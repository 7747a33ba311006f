import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../test/helpers/index-dialects.js';
import { isVigilError } from '../errors.js';
import { Archive } from './archive.js';
import { makeTempDir, streamDefinition } from './testing/fixtures.js';
import { FRAGMENT_US, writeVideoSegment } from './testing/segments.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 4, 1, 8, 0, 0) * 1000;

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

forEachDialect('Archive', (d) => {
  let archive: Archive;
  let dir: string;
  let cleanup: () => Promise<void>;
  let clock = T0;

  beforeEach(async () => {
    const tmp = await makeTempDir();
    dir = tmp.dir;
    cleanup = tmp.cleanup;
    clock = T0;
    archive = await Archive.open({
      databasePath: await d.newLocation(),
      defaultRoot: join(dir, 'archive'),
      now: () => clock,
    });
  });
  afterEach(async () => {
    await archive.close();
    await cleanup();
  });

  it('records segments into ranges, split where the recording broke', async () => {
    await writeVideoSegment(archive, 'cam1', T0, 3); // 0-6 s
    await writeVideoSegment(archive, 'cam1', T0 + 6 * S, 2); // 6-10 s: continues
    await writeVideoSegment(archive, 'cam1', T0 + 20 * S, 1); // 20-22 s: after a 10 s outage
    await writeVideoSegment(archive, 'cam1', T0 + 30 * S, 1, { variant: 'sub' });
    assert.deepEqual(await archive.ranges('cam1'), [
      { fromUs: T0, durationUs: 10 * S },
      { fromUs: T0 + 20 * S, durationUs: 2 * S },
    ]);
    assert.deepEqual(await archive.ranges('cam1', 'sub'), [{ fromUs: T0 + 30 * S, durationUs: 2 * S }]);
    assert.deepEqual(await archive.ranges('nobody'), []);
    const depth = await archive.depth('cam1');
    assert.equal(depth.fromUs, T0);
    assert.equal(depth.toUs, T0 + 32 * S);
    assert.equal(depth.segments, 4);

    const segments = await archive.segmentsInRange('cam1', 'main', T0 + 5 * S, T0 + 7 * S);
    assert.equal(segments.length, 2);
    assert.equal(segments[0]?.codecs, 'avc1.64001f');
    const fragments = await archive.fragmentsOf(segments.map((s) => s.id));
    assert.deepEqual(
      fragments.map((f) => f.startUs - T0),
      [0, 2 * S, 4 * S, 6 * S, 8 * S],
    );
  });

  it('writes a stream into its own dvr root', async () => {
    const root = join(dir, 'elsewhere');
    await archive.saveStream(streamDefinition('cam2', { root }));
    const appender = await writeVideoSegment(archive, 'cam2', T0, 1);
    assert.equal(appender.segment.root, root);
    assert.ok(await exists(join(root, appender.segment.path)));
    assert.deepEqual(await archive.knownRoots(), [join(dir, 'archive'), root].sort());
  });

  it('saves, lists and deletes stream definitions; purge removes files, rows and locks', async () => {
    await archive.saveStream(streamDefinition('keep'));
    await archive.saveStream(streamDefinition('gone'));
    assert.equal((await archive.getStream('keep'))?.name, 'keep');
    assert.deepEqual(
      (await archive.listStreams()).map((s) => s.name),
      ['gone', 'keep'],
    );
    const kept = await writeVideoSegment(archive, 'keep', T0, 1);
    const purged = await writeVideoSegment(archive, 'gone', T0, 1);
    await archive.addLock('gone', T0, S);

    await archive.deleteStream('keep', { purge: false });
    await archive.deleteStream('gone', { purge: true });
    assert.equal(await archive.getStream('keep'), undefined);
    assert.equal((await archive.depth('keep')).segments, 1, 'without purge the recording stays');
    assert.ok(await exists(join(kept.segment.root, kept.segment.path)));
    assert.equal((await archive.depth('gone')).segments, 0);
    assert.equal(await exists(join(purged.segment.root, purged.segment.path)), false);
    assert.deepEqual(await archive.listLocks('gone'), []);
    await assert.rejects(archive.deleteStream('gone', { purge: true }), (e) => isVigilError(e, 'STREAM_NOT_FOUND'));
    await assert.rejects(archive.saveStream(streamDefinition('../etc')), (e) => isVigilError(e, 'INVALID_ARGUMENT'));
  });

  it('deletes whole segments inside a range, keeping locked and partly covered ones', async () => {
    for (let i = 0; i < 4; i++) await writeVideoSegment(archive, 'cam1', T0 + i * 10 * S, 5); // [i*10, i*10+10)
    await archive.addLock('cam1', T0 + 25 * S, 1 * S); // inside segment 2
    const result = await archive.deleteRange('cam1', T0 + 5 * S, 40 * S); // covers 1, 2, 3 wholly; 0 partly
    assert.deepEqual(result, { deletedSegments: 2, keptLocked: 1 });
    assert.deepEqual(await archive.ranges('cam1'), [
      { fromUs: T0, durationUs: 10 * S },
      { fromUs: T0 + 20 * S, durationUs: 10 * S },
    ]);
    await assert.rejects(archive.deleteRange('cam1', -1, 5), (e) => isVigilError(e, 'INVALID_ARGUMENT'));
  });

  it('adds locks and unlocks part of one by splitting it', async () => {
    clock = T0 + 99;
    const lock = await archive.addLock('cam1', T0, 60 * S);
    assert.deepEqual(
      { ...lock, id: 0 },
      { id: 0, stream: 'cam1', fromUs: T0, durationUs: 60 * S, createdAtUs: T0 + 99 },
    );
    await archive.removeLock('cam1', T0 + 10 * S, 20 * S);
    assert.deepEqual(
      (await archive.listLocks('cam1')).map((l) => [l.fromUs - T0, l.durationUs, l.createdAtUs]),
      [
        [0, 10 * S, T0 + 99],
        [30 * S, 30 * S, T0 + 99],
      ],
    );
    await archive.removeLock('cam1', T0, 60 * S);
    assert.deepEqual(await archive.listLocks('cam1'), []);
  });

  it('keeps fragment times contiguous across a segment', async () => {
    const appender = await writeVideoSegment(archive, 'cam1', T0, 2);
    const [segment] = await archive.segmentsInRange('cam1', 'main', T0, T0 + 1);
    assert.equal(segment?.endUs, T0 + 2 * FRAGMENT_US);
    assert.equal(segment?.id, appender.segment.id);
  });
});
