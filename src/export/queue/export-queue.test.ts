import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import { isVigilError } from '../../errors.js';
import { exportStateCode, statesOfCode, type ExportJobEvent } from './job-types.js';
import {
  ControlledRunner,
  FINAL_BYTES,
  makeQueue,
  nextEvent,
  openQueueDb,
  type QueueDb,
  recordEvents,
  stateIs,
  type TestSpec,
} from './testing/queue-kit.js';

forEachDialect('export queue', (d) => {
  let qdb: QueueDb;
  beforeEach(async () => {
    qdb = await openQueueDb(d);
  });
  afterEach(async () => {
    await qdb.close();
  });

  const submitCopy = (queue: ReturnType<typeof makeQueue>, id: string, kind: 'copy' | 'transcode' = 'copy') =>
    queue.submit({ id, kind, spec: { label: id }, filePath: join(qdb.dir, `${id}.mp4`) });

  it('refuses the 1001st job with QUEUE_FULL (429) and leaves the 1000 others as they were', async () => {
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner);
    await queue.start();
    const ids = Array.from({ length: 1001 }, (_, i) => `job-${String(i).padStart(4, '0')}`);
    const results = await Promise.allSettled(ids.map((id) => submitCopy(queue, id)));

    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [{ id: ids[i], reason: r.reason }] : []));
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.id, 'job-1000');
    assert.ok(isVigilError(refused[0]?.reason, 'QUEUE_FULL'));
    assert.equal((refused[0]?.reason as { status: number }).status, 429);

    const stored = await qdb.store.list();
    assert.equal(stored.length, 1000);
    assert.deepEqual(
      stored.map((j) => j.id),
      ids.slice(0, 1000),
    );
    assert.ok(stored.every((j) => j.state === 'in_queue' || j.state === 'exporting'));
    assert.ok(stored.every((j) => j.error === undefined));
    await queue.stop();
  });

  it('runs at most 2 copies and 1 transcode at a time, each kind in submission order', async () => {
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { cancelTaskWithStates: [] });
    await queue.start();
    for (const id of ['c1', 'c2', 'c3', 'c4']) await submitCopy(queue, id);
    for (const id of ['t1', 't2', 't3']) await submitCopy(queue, id, 'transcode');

    const c1 = await runner.started('c1');
    await runner.started('c2');
    const t1 = await runner.started('t1');
    assert.deepEqual(
      (await queue.list())
        .filter((j) => j.state === 'exporting')
        .map((j) => j.id)
        .sort(),
      ['c1', 'c2', 't1'],
    );

    await c1.succeed();
    const c3 = await runner.started('c3');
    await t1.succeed();
    const t2 = await runner.started('t2');
    await c3.succeed();
    await t2.succeed();
    for (const id of ['c2', 'c4', 't3']) await (await runner.started(id)).succeed();
    for (const id of ['c1', 'c2', 'c3', 'c4', 't1', 't2', 't3']) {
      assert.equal((await queue.whenFinished(id)).state, 'success');
    }

    assert.deepEqual(runner.maxRunning, { copy: 2, transcode: 1 });
    const copies = runner.startOrder.filter((id) => id.startsWith('c'));
    // c1 and c2 are taken together; which runner call comes first depends on the store (a pool on PostgreSQL).
    assert.deepEqual([...copies.slice(0, 2)].sort(), ['c1', 'c2']);
    assert.deepEqual(copies.slice(2), ['c3', 'c4']);
    assert.deepEqual(
      runner.startOrder.filter((id) => id.startsWith('t')),
      ['t1', 't2', 't3'],
    );
    await queue.stop();
  });

  it('keeps progress moving forward, below 100 until success, and persists it throttled', async () => {
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { cancelTaskWithStates: [], progressIntervalMs: 20 });
    const events = recordEvents(queue);
    await queue.start();
    await submitCopy(queue, 'p1', 'transcode');
    const run = await runner.started('p1');

    const reports: Array<[Parameters<typeof run.progress>[0], number]> = [
      ['encoding', 10],
      ['encoding', 5],
      ['encoding', 40],
      ['encoding_retry', 0],
      ['encoding_retry', Number.NaN],
      ['encoding_retry', 100],
      ['encoding_retry', 250],
      ['finalizing', 99.5],
    ];
    for (let i = 0; i < 90; i++) reports.splice(3, 0, ['encoding', 10 + i / 3]);
    for (const [step, percent] of reports) run.progress(step, percent);

    // Silent from here on: the queue's ticks keep events coming and persist what is new.
    const ticks = events.length;
    await nextEvent(queue, (e) => e.type === 'progress' && events.length >= ticks + 3);
    await run.succeed();
    const done = await queue.whenFinished('p1');
    assert.equal(done.percent, 100);
    assert.equal(done.state, 'success');

    const percents = events.flatMap((e: ExportJobEvent<TestSpec>) =>
      e.type === 'progress' ? [e.percent] : e.type === 'state' ? [e.job.percent] : [],
    );
    const running = percents.slice(0, -1);
    assert.deepEqual(
      running,
      [...running].sort((a, b) => a - b),
    );
    assert.ok(running.every((p) => p < 100));
    assert.equal(percents.at(-1), 100);
    assert.ok(events.filter((e) => e.type === 'progress').length < reports.length);

    const persisted = qdb.store.updates.filter((u) => u.id === 'p1' && u.patch.state === undefined);
    assert.equal(persisted.length, 1, 'one write for a burst of reports');
    assert.deepEqual(persisted.at(-1)?.patch, { step: 'finalizing', percent: 99 });
    const stored = await qdb.store.get('p1');
    assert.equal(stored?.percent, 100);
    assert.equal(stored?.bytes, Buffer.byteLength(FINAL_BYTES));
    await queue.stop();
  });

  it('removes finished jobs from the list by state, never their files, and can keep them', async () => {
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner);
    assert.deepEqual(queue.cancelTaskWithStates, ['success', 'error']);
    await queue.start();

    const removed = nextEvent(queue, (e) => e.type === 'removed' && e.id === 'ok');
    await submitCopy(queue, 'ok');
    await (await runner.started('ok')).succeed();
    assert.equal((await queue.whenFinished('ok')).state, 'success');
    await removed;
    assert.equal(await queue.get('ok'), undefined);
    assert.equal(await readFile(join(qdb.dir, 'ok.mp4'), 'utf8'), FINAL_BYTES);

    await submitCopy(queue, 'bad');
    (await runner.started('bad')).fail(new Error('disk\n  full'));
    const failed = await queue.whenFinished('bad');
    assert.deepEqual(failed.error, { code: 'INTERNAL', message: 'disk full' });
    assert.equal(await queue.get('bad'), undefined);

    queue.cancelTaskWithStates = [];
    await submitCopy(queue, 'kept');
    await (await runner.started('kept')).succeed();
    await queue.whenFinished('kept');
    assert.equal((await queue.get('kept'))?.state, 'success');
    assert.deepEqual(
      (await queue.list()).map((j) => j.id),
      ['kept'],
    );
    await queue.remove('kept');
    assert.equal(await queue.get('kept'), undefined);
    assert.equal(await readFile(join(qdb.dir, 'kept.mp4'), 'utf8'), FINAL_BYTES);
    await queue.stop();
  });

  it('with removeFinishedAfterMs, keeps a finished job listed for that long, then removes it', async () => {
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { removeFinishedAfterMs: 150 });
    await queue.start();
    await submitCopy(queue, 'later');
    await (await runner.started('later')).succeed();
    await queue.whenFinished('later');
    // Still listed right after it finished: a task list can offer its file.
    assert.equal((await queue.get('later'))?.state, 'success');
    const removed = nextEvent(queue, (e) => e.type === 'removed' && e.id === 'later');
    // The removal timer is unref'd (it must not hold a process open); this wait keeps the test's loop alive.
    await delay(400);
    await removed;
    assert.equal(await queue.get('later'), undefined);
    assert.equal(await readFile(join(qdb.dir, 'later.mp4'), 'utf8'), FINAL_BYTES);
    await queue.stop();
  });

  it('calls the job callback, else the queue callback, on every state change', async () => {
    const runner = new ControlledRunner();
    const seen: string[] = [];
    const queue = makeQueue(qdb, runner, {
      cancelTaskWithStates: [],
      callback: (e) => seen.push(`queue:${e.job.id}:${e.job.state}`),
    });
    await queue.start();
    await queue.submit({
      id: 'own',
      kind: 'copy',
      spec: { label: 'own' },
      filePath: join(qdb.dir, 'own.mp4'),
      callback: (e) => seen.push(`own:${e.job.state}:${exportStateCode(e.job.state)}`),
    });
    await (await runner.started('own')).succeed();
    await queue.whenFinished('own');
    await submitCopy(queue, 'other');
    await (await runner.started('other')).succeed();
    await queue.whenFinished('other');
    assert.deepEqual(seen, [
      'own:in_queue:0',
      'own:exporting:1',
      'own:success:2',
      'queue:other:in_queue',
      'queue:other:exporting',
      'queue:other:success',
    ]);
    await queue.stop();
  });

  it('refuses a taken id and a bad kind, naming the field', async () => {
    const queue = makeQueue(qdb, new ControlledRunner());
    await assert.rejects(submitCopy(queue, 'early'), (err) => isVigilError(err, 'CONFLICT'));
    await queue.start();
    await submitCopy(queue, 'dup');
    await assert.rejects(submitCopy(queue, 'dup'), (err) => isVigilError(err, 'CONFLICT') && err.field === 'id');
    await assert.rejects(
      queue.submit({ kind: 'gif' as 'copy', spec: { label: 'x' }, filePath: join(qdb.dir, 'x.mp4') }),
      (err) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'kind',
    );
    assert.throws(
      () => {
        queue.cancelTaskWithStates = ['exporting'];
      },
      (err) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'cancelTaskWithStates',
    );
    await queue.stop();
  });

  it('maps states to the reference numeric codes', () => {
    assert.deepEqual(
      (['in_queue', 'exporting', 'success', 'error', 'canceled'] as const).map(exportStateCode),
      [0, 1, 2, 3, 3],
    );
    assert.deepEqual(statesOfCode(3), ['error', 'canceled']);
    assert.deepEqual(statesOfCode(0), ['in_queue']);
  });

  it('waits for the first state event before the job is exported', async () => {
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { cancelTaskWithStates: [] });
    await queue.start();
    const exporting = nextEvent(queue, stateIs('s1', 'exporting'));
    await submitCopy(queue, 's1');
    const event = await exporting;
    assert.equal(event.type === 'state' && event.previous, 'in_queue');
    assert.equal((await qdb.store.get('s1'))?.state, 'exporting');
    await (await runner.started('s1')).succeed();
    await queue.whenFinished('s1');
    await queue.stop();
  });
});
