import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import { migrateToEmpty, migrateToLatest } from '../../archive/index/database.js';
import { isVigilError } from '../../errors.js';
import type { StoredExportJob } from './job-store.js';
import { openQueueDb, type QueueDb, type TestSpec } from './testing/queue-kit.js';

function job(id: string, seq: number, overrides: Partial<StoredExportJob<TestSpec>> = {}): StoredExportJob<TestSpec> {
  return {
    id,
    seq,
    kind: 'copy',
    spec: { label: `spec of ${id}` },
    state: 'in_queue',
    step: undefined,
    percent: 0,
    createdAtUs: 1_700_000_000_000_000 + seq,
    startedAtUs: undefined,
    finishedAtUs: undefined,
    error: undefined,
    filePath: `/exports/${id}.mp4`,
    bytes: undefined,
    webhookUrl: undefined,
    ...overrides,
  };
}

forEachDialect('SQL job store', (d) => {
  let qdb: QueueDb;
  beforeEach(async () => {
    qdb = await openQueueDb(d);
  });
  afterEach(async () => {
    await qdb.close();
  });

  it('reads back what it stored, field for field', async () => {
    const full = job('full', 3, {
      kind: 'transcode',
      spec: { label: 'Entrée "caméra" 1' },
      state: 'error',
      step: 'encoding_retry',
      percent: 37.5,
      startedAtUs: 1_700_000_000_500_000,
      finishedAtUs: 1_700_000_009_000_000,
      error: { code: 'INTERRUPTED', message: 'interrupted: …' },
      bytes: 12_345_678_901,
      webhookUrl: 'https://hooks.example/vigil',
    });
    await qdb.store.insert(full);
    await qdb.store.insert(job('bare', 4));
    assert.deepEqual(await qdb.store.get('full'), full);
    assert.deepEqual(await qdb.store.get('bare'), job('bare', 4));
    assert.equal(await qdb.store.get('none'), undefined);
  });

  it('refuses a second job with the same id', async () => {
    await qdb.store.insert(job('a', 1));
    await assert.rejects(qdb.store.insert(job('a', 2)), (err) => isVigilError(err, 'CONFLICT') && err.field === 'id');
  });

  it('updates, lists by state in queue order, deletes and reports the highest seq', async () => {
    assert.equal(await qdb.store.maxSeq(), 0);
    for (const [id, seq] of [
      ['c', 3],
      ['a', 1],
      ['b', 2],
    ] as const)
      await qdb.store.insert(job(id, seq));
    assert.equal(await qdb.store.update('b', { state: 'success', percent: 100, bytes: 10, step: 'finalizing' }), true);
    assert.equal(await qdb.store.update('c', { error: { code: 'TIMEOUT', message: 'late' }, state: 'canceled' }), true);
    assert.equal(await qdb.store.update('zz', { state: 'error' }), false);
    assert.deepEqual(
      (await qdb.store.list()).map((j) => j.id),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      (await qdb.store.list(['success', 'canceled'])).map((j) => j.id),
      ['b', 'c'],
    );
    assert.deepEqual(await qdb.store.list([]), []);
    assert.equal(await qdb.store.update('c', { error: undefined }), true);
    assert.equal((await qdb.store.get('c'))?.error, undefined);
    assert.equal(await qdb.store.maxSeq(), 3);
    assert.deepEqual(await qdb.store.deleteInStates(['success']), ['b']);
    assert.equal(await qdb.store.delete('a'), true);
    assert.equal(await qdb.store.delete('a'), false);
    assert.deepEqual(
      (await qdb.store.list()).map((j) => j.id),
      ['c'],
    );
  });

  it('has a migration that can be rolled back and applied again', async () => {
    await qdb.store.insert(job('a', 1));
    await migrateToEmpty(qdb.db);
    await migrateToLatest(qdb.db);
    assert.deepEqual(await qdb.store.list(), []);
  });
});
