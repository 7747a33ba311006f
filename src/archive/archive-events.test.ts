import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../test/helpers/index-dialects.js';
import { Archive } from './archive.js';
import { makeTempDir, streamDefinition } from './testing/fixtures.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 4, 1, 8, 0, 0) * 1000;

forEachDialect('Archive events', (d) => {
  let archive: Archive;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    archive = await Archive.open({
      databasePath: await d.newLocation(),
      defaultRoot: join(tmp.dir, 'archive'),
      now: () => T0 + 99 * S,
    });
  });
  afterEach(async () => {
    await archive.close();
    await cleanup();
  });

  it('adds checked events stamped with the clock, lists and deletes them', async () => {
    const e = await archive.addEvent({
      stream: 'cam1',
      startUs: T0,
      endUs: T0 + S,
      label: ' person ',
      severity: 'alert',
    });
    assert.equal(e.label, 'person');
    assert.equal(e.createdAtUs, T0 + 99 * S);
    assert.deepEqual(await archive.listEvents('cam1', T0, T0 + S), [e]);
    assert.equal(await archive.deleteEvent('cam1', e.id), true);
    assert.deepEqual(await archive.listEvents('cam1', T0, T0 + S), []);
    await assert.rejects(archive.listEvents('cam1', T0, T0 - 1), { code: 'INVALID_ARGUMENT', field: 'to' });
    await assert.rejects(archive.addEvent({ ...e, stream: '../x' }), { code: 'INVALID_ARGUMENT' });
  });

  it('keeps a stream’s events when its definition is removed, drops them on purge', async () => {
    for (const name of ['kept', 'purged']) {
      await archive.saveStream(streamDefinition(name));
      await archive.addEvent({ stream: name, startUs: T0, endUs: T0 + S, label: 'car', severity: 'info' });
    }
    await archive.deleteStream('kept', { purge: false });
    await archive.deleteStream('purged', { purge: true });
    assert.equal((await archive.listEvents('kept', T0, T0 + S)).length, 1);
    assert.equal((await archive.listEvents('purged', T0, T0 + S)).length, 0);
  });
});
