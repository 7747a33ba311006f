import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import type { Kysely } from 'kysely';
import { forEachDialect } from '../../test/helpers/index-dialects.js';
import { type Database, openDatabase } from '../archive/index/database.js';
import { acquireLease, findLease, isLeaseCurrent, releaseLease, renewLease } from './leases.repo.js';

const NOW = 1_800_000_000_000_000;
const LEASE_US = 15_000_000;

forEachDialect('stream leases', (d) => {
  const dbs: Array<Kysely<Database>> = [];
  let location: string;

  beforeEach(async () => {
    location = await d.newLocation();
  });

  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.destroy();
  });

  async function open(): Promise<Kysely<Database>> {
    const db = await openDatabase(location);
    dbs.push(db);
    return db;
  }

  it('gives an expired lease to exactly one of several nodes racing for it, with the next generation', async () => {
    const first = await open();
    // SQLite is one node's file; PostgreSQL nodes each have their own pool.
    const nodes = d.dialect === 'postgres' ? [first, await open(), await open()] : [first];
    assert.equal(await acquireLease(first, { stream: 'cam', node: 'n0', nowUs: NOW, expiresAtUs: NOW + LEASE_US }), 1);

    const at = NOW + LEASE_US;
    const claims = Array.from({ length: 8 }, (_, i) => ({
      db: nodes[i % nodes.length] ?? first,
      node: `n${i + 1}`,
    }));
    const results = await Promise.all(
      claims.map((c) => acquireLease(c.db, { stream: 'cam', node: c.node, nowUs: at, expiresAtUs: at + LEASE_US })),
    );
    const winners = results.flatMap((generation, i) => (generation === undefined ? [] : [{ generation, i }]));
    assert.equal(winners.length, 1, `winners: ${JSON.stringify(winners)}`);
    assert.equal(winners[0]?.generation, 2);
    const winner = `n${(winners[0]?.i ?? 0) + 1}`;
    assert.equal((await findLease(first, 'cam'))?.node, winner);
  });

  it('renews and fences only the current generation, and a released lease goes to the next node at once', async () => {
    const db = await open();
    assert.equal(await acquireLease(db, { stream: 'cam', node: 'a', nowUs: NOW, expiresAtUs: NOW + LEASE_US }), 1);
    const hold = { stream: 'cam', node: 'a', generation: 1 };
    assert.equal(await isLeaseCurrent(db, hold, NOW + 1), true);
    assert.equal(await isLeaseCurrent(db, hold, NOW + LEASE_US), false, 'an expired lease fences writes');
    assert.equal(
      await acquireLease(db, { stream: 'cam', node: 'b', nowUs: NOW + 1, expiresAtUs: NOW + LEASE_US }),
      undefined,
    );
    const renewal = { nowUs: NOW + 5, expiresAtUs: NOW + 5 + LEASE_US, stateJson: '[]' };
    assert.equal(await renewLease(db, { ...hold, ...renewal }), true);
    assert.equal(await renewLease(db, { ...hold, generation: 2, ...renewal }), false);
    assert.equal((await findLease(db, 'cam'))?.stateJson, '[]');

    await releaseLease(db, hold);
    assert.equal(await acquireLease(db, { stream: 'cam', node: 'b', nowUs: NOW + 6, expiresAtUs: NOW + LEASE_US }), 2);
    assert.equal(await isLeaseCurrent(db, hold, NOW + 7), false);
    assert.equal(await renewLease(db, { ...hold, ...renewal }), false);
  });
});
