import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import type { StoredExportJob } from './job-store.js';
import {
  ControlledRunner,
  makeQueue,
  nextEvent,
  openQueueDb,
  PARTIAL_BYTES,
  type QueueDb,
  recordEvents,
  stateIs,
  type TestSpec,
} from './testing/queue-kit.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

forEachDialect('export queue: restart', (d) => {
  let qdb: QueueDb;
  beforeEach(async () => {
    qdb = await openQueueDb(d);
  });
  afterEach(async () => {
    await qdb.close();
  });

  const pathOf = (id: string) => join(qdb.dir, `${id}.mp4`);

  /** What a process that died mid-export leaves: a row `exporting` and a partial file. */
  async function leaveCrashedJob(id: string, seq: number): Promise<void> {
    const job: StoredExportJob<TestSpec> = {
      id,
      seq,
      kind: 'transcode',
      spec: { label: id },
      state: 'exporting',
      step: 'encoding',
      percent: 42,
      createdAtUs: 1_700_000_000_000_000,
      startedAtUs: 1_700_000_001_000_000,
      finishedAtUs: undefined,
      error: undefined,
      filePath: pathOf(id),
      bytes: undefined,
      webhookUrl: undefined,
    };
    await qdb.store.insert(job);
    await writeFile(pathOf(id), PARTIAL_BYTES);
  }

  it('fails a job left exporting as INTERRUPTED, removes its partial file, and runs what was queued', async () => {
    await leaveCrashedJob('crashed', 1);
    await qdb.store.insert({
      ...(await qdb.store.get('crashed'))!,
      id: 'waiting',
      seq: 2,
      state: 'in_queue',
      step: undefined,
      percent: 0,
      startedAtUs: undefined,
      filePath: pathOf('waiting'),
    });
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { cancelTaskWithStates: [] });
    const events = recordEvents(queue);
    await queue.start();

    const crashed = await queue.get('crashed');
    assert.equal(crashed?.state, 'error');
    assert.equal(crashed?.error?.code, 'INTERRUPTED');
    assert.match(crashed?.error?.message ?? '', /^interrupted: /);
    assert.equal(await exists(pathOf('crashed')), false);
    assert.ok(events.some((e) => e.type === 'state' && e.job.id === 'crashed' && e.previous === 'exporting'));

    await (await runner.started('waiting')).succeed();
    assert.equal((await queue.whenFinished('waiting')).state, 'success');
    assert.deepEqual(runner.startOrder, ['waiting']);
    await queue.stop();
    assert.deepEqual(await qdb.store.list(['exporting']), []);
  });

  it('with resumeInterrupted, runs the job again from the start after removing its partial file', async () => {
    await leaveCrashedJob('again', 7);
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { cancelTaskWithStates: [], resumeInterrupted: true });
    const requeued = nextEvent(queue, stateIs('again', 'in_queue'));
    await queue.start();
    await requeued;
    const run = await runner.started('again');
    assert.equal(run.job.percent, 0);
    await run.succeed();
    const done = await queue.whenFinished('again');
    assert.equal(done.state, 'success');
    assert.equal(done.error, undefined);
    assert.ok(done.startedAtUs !== undefined && done.startedAtUs > 1_700_000_001_000_000);
    await queue.stop();
  });

  it('leaves no job exporting when a process dies mid-export and another one starts on the same index', async () => {
    const runner = new ControlledRunner();
    const dying = makeQueue(qdb, runner, { cancelTaskWithStates: [] });
    await dying.start();
    await dying.submit({ id: 'mid', kind: 'copy', spec: { label: 'mid' }, filePath: pathOf('mid') });
    const run = await runner.started('mid');
    run.progress('copying', 50);
    assert.equal((await qdb.store.get('mid'))?.state, 'exporting');

    // The old process is gone without stop(): only what it stored is left.
    const next = makeQueue(qdb, new ControlledRunner(), { cancelTaskWithStates: [] });
    await next.start();
    const after = await next.get('mid');
    assert.equal(after?.state, 'error');
    assert.equal(after?.error?.code, 'INTERRUPTED');
    assert.equal(await exists(pathOf('mid')), false);
    assert.deepEqual(await qdb.store.list(['exporting']), []);
    await next.stop();
    // Let the stale in-memory queue of the "dead" process wind down before the DB closes.
    run.fail(new Error('the old process went away'));
    await dying.whenFinished('mid');
  });

  it('on stop(), ends running jobs as a restart would and keeps queued jobs queued', async () => {
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { cancelTaskWithStates: [], concurrency: { copy: 1 } });
    await queue.start();
    await queue.submit({ id: 'r', kind: 'copy', spec: { label: 'r' }, filePath: pathOf('r') });
    await queue.submit({ id: 'q', kind: 'copy', spec: { label: 'q' }, filePath: pathOf('q') });
    const run = await runner.started('r');
    await queue.stop();
    assert.ok(run.signal.aborted);
    assert.equal((await qdb.store.get('r'))?.error?.code, 'INTERRUPTED');
    assert.equal(await exists(pathOf('r')), false);
    assert.equal((await qdb.store.get('q'))?.state, 'in_queue');

    const later = new ControlledRunner();
    const restarted = makeQueue(qdb, later, { cancelTaskWithStates: [] });
    await restarted.start();
    await (await later.started('q')).succeed();
    assert.equal((await restarted.whenFinished('q')).state, 'success');
    await restarted.stop();
  });
});
