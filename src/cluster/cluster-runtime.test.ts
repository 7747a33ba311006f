/**
 * Two Vigil nodes in one process on one PostgreSQL, recording the built-in
 * demo clock: exactly one records it, both API nodes say which, and when that
 * node stops the other takes the stream over and records on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { resolveConfig } from '../config/config-file.js';
import { type RunningVigil, startVigil } from '../runtime.js';

interface StreamListing {
  streams: Array<{ name: string; node?: string; state: { status: string } }>;
}

async function demoStream(vigil: RunningVigil): Promise<StreamListing['streams'][number] | undefined> {
  const res = await fetch(`${vigil.url}/streamer/api/v3/streams`, {
    headers: { authorization: `Bearer ${vigil.adminToken ?? ''}` },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as StreamListing;
  return body.streams.find((s) => s.name === 'demo');
}

/** Polls until `check` gives a value; the lease period bounds how long this should take. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('cluster recording in the runtime', { skip: postgresSkipReason() ?? false }, () => {
  let dir: string;
  let url: string;
  let server: TestPostgres | undefined;
  const nodes = new Map<string, RunningVigil>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-cluster-runtime-'));
    server = await startPostgres();
    url = await server.createDatabase();
  });

  after(async () => {
    for (const vigil of nodes.values()) await vigil.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function startNode(id: string): Promise<RunningVigil> {
    const config = resolveConfig(
      {
        port: 0,
        host: '127.0.0.1',
        data_dir: join(dir, id),
        cluster: { database: url, node: id, lease_seconds: 3, queue: 'local' },
      },
      { env: {} },
    );
    const vigil = await startVigil(config, { logger: pino({ level: 'silent' }), print: () => undefined });
    nodes.set(id, vigil);
    return vigil;
  }

  it('records the demo on one node, shows that node on both, and fails over when it stops', async () => {
    const a = await startNode('node-a');
    const b = await startNode('node-b');
    const first = await eventually('a recording node', async () => {
      const [onA, onB] = [await demoStream(a), await demoStream(b)];
      return onA?.node !== undefined && onA.node === onB?.node && onA.state.status === 'recording'
        ? onA.node
        : undefined;
    });
    const owner = nodes.get(first);
    assert.ok(owner !== undefined);
    const survivor = first === 'node-a' ? b : a;
    await owner.stop();
    nodes.delete(first);
    const second = await eventually('the other node to take over', async () => {
      const s = await demoStream(survivor);
      return s?.node !== undefined && s.node !== first && s.state.status === 'recording' ? s.node : undefined;
    });
    assert.notEqual(second, first);
  });
});
