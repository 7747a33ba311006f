/**
 * The cluster queue with two or three "nodes" in this process: each is its
 * own PgBossQueue with its own connections to one real PostgreSQL database.
 */
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../../../test/helpers/postgres.js';
import { type Database, openDatabase } from '../../archive/index/database.js';
import { makeTempDir } from '../../archive/testing/fixtures.js';
import { isVigilError } from '../../errors.js';
import { ClusterJobStore } from './cluster-job-store.js';
import type { ExportJobEvent, ExportJobState } from './job-types.js';
import type { PgBossQueueOptions } from './pg-boss-options.js';
import { PgBossQueue } from './pg-boss-queue.js';
import { ControlledRunner, FINAL_BYTES, type TestSpec } from './testing/queue-kit.js';

type Node = PgBossQueue<TestSpec>;

function waitFor(node: Node, matches: (event: ExportJobEvent<TestSpec>) => boolean): Promise<ExportJobEvent<TestSpec>> {
  return new Promise((resolve) => {
    const off = node.events.on((event) => {
      if (!matches(event)) return;
      off();
      resolve(event);
    });
  });
}

const stateIs =
  (id: string, state: ExportJobState) =>
  (event: ExportJobEvent<TestSpec>): boolean =>
    event.type === 'state' && event.job.id === id && event.job.state === state;

function statesOf(events: ExportJobEvent<TestSpec>[], id: string): string[] {
  return events.flatMap((e) => (e.type === 'state' && e.job.id === id ? [e.job.state] : []));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('pg-boss export queue across nodes', { skip: postgresSkipReason() ?? false }, () => {
  let pg: TestPostgres;
  let url: string;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const dbs: Kysely<Database>[] = [];
  const nodes: Node[] = [];

  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg.stop();
  });
  beforeEach(async () => {
    url = await pg.createDatabase();
    ({ dir, cleanup: cleanupDir } = await makeTempDir('vigil-pgboss-'));
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
    for (const db of dbs.splice(0)) await db.destroy();
    await cleanupDir();
  });

  /** A node: its own index connection pool, pg-boss and listener on the shared database. */
  async function startNode(
    nodeId: string,
    runner: ControlledRunner | undefined,
    options: Partial<PgBossQueueOptions<TestSpec>> = {},
  ): Promise<Node> {
    const db = await openDatabase(url);
    dbs.push(db);
    const node = new PgBossQueue<TestSpec>({
      store: new ClusterJobStore<TestSpec>(db),
      runner: runner ?? new ControlledRunner(),
      connectionString: url,
      nodeId,
      runsJobs: runner !== undefined,
      cancelTaskWithStates: [],
      cancelGraceMs: 500,
      progressIntervalMs: 200,
      pollingIntervalSeconds: 0.2,
      // DEBUG_PGBOSS=1 prints what the queues log (they are silent otherwise).
      ...(process.env.DEBUG_PGBOSS !== undefined && {
        logger: {
          warn: (o: object, m?: string) => console.error('WARN', nodeId, m, o),
          error: (o: object, m?: string) => console.error('ERROR', nodeId, m, o),
        },
      }),
      ...options,
    });
    await node.start();
    nodes.push(node);
    return node;
  }

  const pathOf = (id: string): string => join(dir, `${id}.mp4`);
  const submit = (node: Node, id: string, kind: 'copy' | 'transcode' = 'copy') =>
    node.submit({ id, kind, spec: { label: id }, filePath: pathOf(id) });

  it('runs a job submitted on an API node on the exporter, with states and progress seen on both', async () => {
    const runner = new ControlledRunner();
    const api = await startNode('api', undefined);
    const exporter = await startNode('exporter', runner);
    const seenOnApi: ExportJobEvent<TestSpec>[] = [];
    api.events.on((e) => seenOnApi.push(e));
    const callbacks: string[] = [];

    const exportingOnApi = waitFor(api, stateIs('job1', 'exporting'));
    const submitted = await api.submit({
      id: 'job1',
      kind: 'transcode',
      spec: { label: 'one' },
      filePath: pathOf('job1'),
      callback: (event) => callbacks.push(event.job.state),
    });
    assert.equal(submitted.state, 'in_queue');

    const run = await runner.started('job1');
    assert.deepEqual(run.job.spec, { label: 'one' });
    await exportingOnApi;
    const progressOnApi = waitFor(api, (e) => e.type === 'progress' && e.id === 'job1' && e.percent >= 40);
    run.progress('encoding', 40);
    const progress = await progressOnApi;
    assert.equal(progress.type === 'progress' && progress.step, 'encoding');

    const done = api.whenFinished('job1');
    const successOnApi = waitFor(api, stateIs('job1', 'success'));
    await run.succeed();
    const finished = await done;
    assert.equal(finished.state, 'success');
    assert.equal(finished.percent, 100);
    assert.equal(finished.bytes, Buffer.byteLength(FINAL_BYTES));
    assert.equal(await readFile(pathOf('job1'), 'utf8'), FINAL_BYTES);
    assert.equal((await exporter.get('job1'))?.state, 'success');
    assert.equal((await api.list()).length, 1);

    await successOnApi;
    assert.deepEqual(statesOf(seenOnApi, 'job1'), ['in_queue', 'exporting', 'success']);
    // The per-job callback lives on the node that took the submit; it sees every change once.
    assert.deepEqual(callbacks, ['in_queue', 'exporting', 'success']);
    assert.deepEqual(runner.startOrder, ['job1']);
  });

  it('cancels from the API node: the exporter aborts the run and removes its partial file', async () => {
    const runner = new ControlledRunner();
    const api = await startNode('api', undefined);
    await startNode('exporter', runner);
    await submit(api, 'long', 'transcode');
    const run = await runner.started('long');
    assert.equal(await readFile(pathOf('long'), 'utf8'), 'partial');

    const canceled = await api.cancel('long');
    assert.ok(run.signal.aborted);
    assert.ok(isVigilError(run.signal.reason, 'CANCELED'));
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.error, undefined);
    assert.equal((await api.get('long'))?.state, 'canceled');
    assert.equal(await exists(pathOf('long')), false);
  });

  it('cancels a queued job on any node before an exporter takes it', async () => {
    const api = await startNode('api', undefined);
    await submit(api, 'queued');
    const other = await startNode('api2', undefined);
    const canceled = await other.cancel('queued');
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.startedAtUs, undefined);

    // An exporter arriving later never runs it.
    const runner = new ControlledRunner();
    await startNode('exporter', runner);
    await submit(api, 'after');
    await (await runner.started('after')).succeed();
    await api.whenFinished('after');
    assert.deepEqual(runner.startOrder, ['after']);
  });

  it("retries a dead exporter's job on another exporter after its lease expires", async () => {
    const timings = { expireInSeconds: 2, keepAliveSeconds: 0.5, maintenanceIntervalSeconds: 1 };
    const api = await startNode('api', undefined, timings);
    const firstRunner = new ControlledRunner();
    const first = await startNode('exporter-1', firstRunner, timings);
    const seenOnApi: ExportJobEvent<TestSpec>[] = [];
    api.events.on((e) => seenOnApi.push(e));

    await submit(api, 'orphan', 'transcode');
    const firstRun = await firstRunner.started('orphan');
    firstRun.progress('encoding', 30);
    // Killed: nothing is written, the row stays `exporting`.
    await first.abandon();
    assert.equal((await api.get('orphan'))?.state, 'exporting');

    const secondRunner = new ControlledRunner();
    await startNode('exporter-2', secondRunner, timings);
    const secondRun = await secondRunner.started('orphan');
    assert.equal(secondRun.signal.aborted, false);
    const done = api.whenFinished('orphan');
    const successOnApi = waitFor(api, stateIs('orphan', 'success'));
    await secondRun.succeed();
    const finished = await done;
    assert.equal(finished.state, 'success');
    assert.equal(await readFile(pathOf('orphan'), 'utf8'), FINAL_BYTES);
    await successOnApi;
    assert.deepEqual(statesOf(seenOnApi, 'orphan'), ['in_queue', 'exporting', 'in_queue', 'exporting', 'success']);
  });

  it('hands a running job to another exporter when its node stops', async () => {
    const api = await startNode('api', undefined);
    const firstRunner = new ControlledRunner();
    const first = await startNode('exporter-1', firstRunner);
    await submit(api, 'moved');
    await firstRunner.started('moved');
    await first.stop();
    nodes.splice(nodes.indexOf(first), 1);
    assert.equal((await api.get('moved'))?.state, 'in_queue');

    const secondRunner = new ControlledRunner();
    await startNode('exporter-2', secondRunner);
    await (await secondRunner.started('moved')).succeed();
    assert.equal((await api.whenFinished('moved')).state, 'success');
  });

  it("keeps each kind within the exporter node's concurrency, and a failed job is not retried", async () => {
    const runner = new ControlledRunner();
    const api = await startNode('api', undefined);
    await startNode('exporter', runner, { concurrency: { copy: 1, transcode: 1 } });
    await submit(api, 'c1');
    await submit(api, 'c2');
    await submit(api, 't1', 'transcode');
    const [c1, t1] = await Promise.all([runner.started('c1'), runner.started('t1')]);
    c1.fail(new Error('the disk\nis   full'));
    const failed = await api.whenFinished('c1');
    assert.equal(failed.state, 'error');
    assert.deepEqual(failed.error, { code: 'INTERNAL', message: 'the disk is full' });
    assert.equal(await exists(pathOf('c1')), false);
    await (await runner.started('c2')).succeed();
    await t1.succeed();
    assert.equal((await api.whenFinished('c2')).state, 'success');
    assert.equal((await api.whenFinished('t1')).state, 'success');
    assert.deepEqual(runner.maxRunning, { copy: 1, transcode: 1 });
    assert.equal(runner.startOrder.filter((id) => id === 'c1').length, 1);
  });

  it('counts the queue limit over every node', async () => {
    const a = await startNode('a', undefined, { queueMaxLen: 2 });
    const b = await startNode('b', undefined, { queueMaxLen: 2 });
    const results = await Promise.allSettled([submit(a, 'j1'), submit(b, 'j2'), submit(a, 'j3'), submit(b, 'j4')]);
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(results.length - refused.length, 2);
    for (const r of refused) assert.ok(r.status === 'rejected' && isVigilError(r.reason, 'QUEUE_FULL'));
    assert.equal((await a.list()).length, 2);

    // A finished job frees its slot for every node.
    const queued = (await b.list())[0]!;
    await a.cancel(queued.id);
    await submit(b, 'j5');
    await assert.rejects(submit(a, 'j6'), (err) => isVigilError(err, 'QUEUE_FULL'));
  });

  it('removes finished jobs cluster-wide, once, and refuses a taken id', async () => {
    const runner = new ControlledRunner();
    const api = await startNode('api', undefined, { cancelTaskWithStates: ['success'] });
    await startNode('exporter', runner, { cancelTaskWithStates: ['success'] });
    const removedOnApi = waitFor(api, (e) => e.type === 'removed' && e.id === 'gone');
    await submit(api, 'gone');
    await assert.rejects(submit(api, 'gone'), (err) => isVigilError(err, 'CONFLICT'));
    await (await runner.started('gone')).succeed();
    await removedOnApi;
    assert.equal(await api.get('gone'), undefined);
    // The file stays.
    assert.equal(await readFile(pathOf('gone'), 'utf8'), FINAL_BYTES);
  });
});
