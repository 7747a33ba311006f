import assert from 'node:assert/strict';
import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import { isVigilError, VigilError } from '../../errors.js';
import type { ExportQueue } from './export-queue.js';
import {
  ControlledRunner,
  FINAL_BYTES,
  makeQueue,
  openQueueDb,
  type QueueDb,
  type TestSpec,
} from './testing/queue-kit.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

forEachDialect('export queue: cancel and failure', (d) => {
  let qdb: QueueDb;
  let runner: ControlledRunner;
  let queue: ExportQueue<TestSpec>;
  let removed: string[];
  let afterRemove: (() => void) | undefined;

  beforeEach(async () => {
    qdb = await openQueueDb(d);
    runner = new ControlledRunner();
    removed = [];
    queue = makeQueue(qdb, runner, {
      cancelTaskWithStates: [],
      concurrency: { copy: 1 },
      cancelGraceMs: 50,
      removePartial: async (path) => {
        await rm(path, { force: true });
        removed.push(path);
        afterRemove?.();
      },
    });
    await queue.start();
  });
  afterEach(async () => {
    await queue.stop();
    await qdb.close();
  });

  const pathOf = (id: string) => join(qdb.dir, `${id}.mp4`);
  const submit = (id: string) => queue.submit({ id, kind: 'copy', spec: { label: id }, filePath: pathOf(id) });

  it('cancels a queued job before it ever runs', async () => {
    await submit('first');
    await submit('second');
    await runner.started('first');
    const canceled = await queue.cancel('second');
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.startedAtUs, undefined);
    assert.equal((await qdb.store.get('second'))?.state, 'canceled');

    await (await runner.started('first')).succeed();
    await queue.whenFinished('first');
    assert.deepEqual(runner.startOrder, ['first']);
  });

  it('stops a running job through its signal and removes its partial file', async () => {
    await submit('run');
    const run = await runner.started('run');
    run.progress('copying', 30);
    assert.equal(await readFile(pathOf('run'), 'utf8'), 'partial');

    const canceled = await queue.cancel('run');
    assert.ok(run.signal.aborted);
    assert.ok(isVigilError(run.signal.reason, 'CANCELED'));
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.error, undefined);
    assert.equal(canceled.percent, 30);
    assert.equal(await exists(pathOf('run')), false);
    assert.deepEqual(removed, [pathOf('run')]);
    assert.equal((await qdb.store.get('run'))?.state, 'canceled');
  });

  it('settles a runner that ignores the cancel, says so, and removes what it writes late', async () => {
    runner.ignoresAbort.add('stuck');
    await submit('stuck');
    await submit('next');
    const run = await runner.started('stuck');

    const canceled = await queue.cancel('stuck');
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.error?.code, 'TIMEOUT');
    assert.match(canceled.error?.message ?? '', /did not stop within 50 ms/);
    assert.equal(await exists(pathOf('stuck')), false);
    // Its slot is free again: the next job runs.
    await (await runner.started('next')).succeed();
    assert.equal((await queue.whenFinished('next')).state, 'success');

    const removedLate = new Promise<void>((resolve) => {
      afterRemove = () => {
        if (removed.filter((p) => p === pathOf('stuck')).length === 2) resolve();
      };
    });
    await run.finishLate();
    await removedLate;
    assert.equal(await exists(pathOf('stuck')), false);
  });

  it('leaves finished jobs as they are and refuses an unknown id', async () => {
    await submit('done');
    await (await runner.started('done')).succeed();
    await queue.whenFinished('done');
    assert.equal((await queue.cancel('done')).state, 'success');
    assert.equal(await readFile(pathOf('done'), 'utf8'), FINAL_BYTES);

    await submit('broken');
    (await runner.started('broken')).fail(new VigilError('SOURCE_FAILED', 'segment 3 is unreadable'));
    const failed = await queue.whenFinished('broken');
    assert.deepEqual(failed.error, { code: 'SOURCE_FAILED', message: 'segment 3 is unreadable' });
    assert.equal((await queue.cancel('broken')).state, 'error');

    await submit('gone');
    await runner.started('gone');
    await queue.cancel('gone');
    assert.equal((await queue.cancel('gone')).state, 'canceled');

    await assert.rejects(queue.cancel('nope'), (err) => isVigilError(err, 'NOT_FOUND'));
  });

  it('fails a job whose runner throws, keeping the reason and removing the partial file', async () => {
    await submit('bad');
    const run = await runner.started('bad');
    run.progress('encoding', 12);
    run.fail(new Error(`ffmpeg exited with code 1:\n  ${'x'.repeat(600)}`));
    const failed = await queue.whenFinished('bad');
    assert.equal(failed.state, 'error');
    assert.equal(failed.error?.code, 'INTERNAL');
    assert.ok(failed.error?.message.startsWith('ffmpeg exited with code 1: xxx'));
    assert.equal(failed.error?.message.length, 500);
    assert.equal(failed.percent, 12);
    assert.equal(await exists(pathOf('bad')), false);
  });
});
