import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fairShare,
  isLeaseExpired,
  type LeaseView,
  planAssignment,
  rendezvousScore,
  renewIntervalMs,
} from './lease-plan.js';

const NOW = 1_000_000_000;

function lease(stream: string, node: string, expiresAtUs: number, generation = 1): LeaseView {
  return { stream, node, generation, renewedAtUs: expiresAtUs - 15_000_000, expiresAtUs };
}

const streams = (n: number): string[] => Array.from({ length: n }, (_, i) => `cam-${i + 1}`);

describe('lease timing', () => {
  it('treats a lease as expired from its expiry instant on, and a released one (0) as expired', () => {
    assert.equal(isLeaseExpired({ expiresAtUs: NOW + 1 }, NOW), false);
    assert.equal(isLeaseExpired({ expiresAtUs: NOW }, NOW), true);
    assert.equal(isLeaseExpired({ expiresAtUs: 0 }, NOW), true);
  });

  it('renews three times per lease period', () => {
    assert.equal(renewIntervalMs(15), 5_000);
    assert.equal(renewIntervalMs(3), 1_000);
  });

  it('shares streams by ceiling over the live nodes', () => {
    const cases: Array<[number, number, number]> = [
      [4, 2, 2],
      [5, 2, 3],
      [10, 3, 4],
      [0, 2, 0],
      [3, 0, 3],
    ];
    for (const [wanted, nodes, share] of cases) assert.equal(fairShare(wanted, nodes), share, `${wanted}/${nodes}`);
  });
});

describe('planAssignment', () => {
  it('lets a lone node take every free stream', () => {
    const plan = planAssignment({
      nodeId: 'a',
      nowUs: NOW,
      wanted: streams(4),
      leases: [],
      held: new Set(),
      liveNodes: [],
    });
    assert.deepEqual([...plan.acquire].sort(), streams(4));
    assert.deepEqual(plan.release, []);
  });

  it('takes only its share when another recorder is alive, and the two nodes prefer different streams', () => {
    const wanted = streams(8);
    const a = planAssignment({ nodeId: 'a', nowUs: NOW, wanted, leases: [], held: new Set(), liveNodes: ['a', 'b'] });
    const b = planAssignment({ nodeId: 'b', nowUs: NOW, wanted, leases: [], held: new Set(), liveNodes: ['a', 'b'] });
    assert.equal(a.acquire.length, 4);
    assert.equal(b.acquire.length, 4);
    const overlap = a.acquire.filter((s) => b.acquire.includes(s));
    assert.ok(overlap.length < 4, `both nodes would race for the same streams: ${overlap.join(',')}`);
  });

  it('never takes a stream another node holds unexpired, and takes it once expired', () => {
    const held = [lease('cam-1', 'b', NOW + 1)];
    const before = planAssignment({
      nodeId: 'a',
      nowUs: NOW,
      wanted: ['cam-1'],
      leases: held,
      held: new Set(),
      liveNodes: [],
    });
    assert.deepEqual(before.acquire, []);
    const after = planAssignment({
      nodeId: 'a',
      nowUs: NOW + 1,
      wanted: ['cam-1'],
      leases: held,
      held: new Set(),
      liveNodes: [],
    });
    assert.deepEqual(after.acquire, ['cam-1']);
  });

  it("takes back at once a lease row naming itself that it does not hold (a previous run's)", () => {
    const plan = planAssignment({
      nodeId: 'a',
      nowUs: NOW,
      wanted: ['cam-1'],
      leases: [lease('cam-1', 'a', NOW + 10_000_000)],
      held: new Set(),
      liveNodes: ['a'],
    });
    assert.deepEqual(plan.acquire, ['cam-1']);
  });

  it('sheds streams beyond its share once another recorder is alive, and those no longer wanted', () => {
    const wanted = streams(4);
    const plan = planAssignment({
      nodeId: 'a',
      nowUs: NOW,
      wanted,
      leases: [...wanted, 'gone'].map((s) => lease(s, 'a', NOW + 1)),
      held: new Set([...wanted, 'gone']),
      liveNodes: ['a', 'b'],
    });
    assert.equal(plan.renew.length, 2);
    assert.equal(plan.release.length, 3);
    assert.ok(plan.release.includes('gone'));
    assert.deepEqual([...plan.renew, ...plan.release].sort(), [...wanted, 'gone'].sort());
    assert.deepEqual(plan.acquire, []);
  });

  it('fills up to its share from expired streams while keeping what it holds', () => {
    const plan = planAssignment({
      nodeId: 'b',
      nowUs: NOW,
      wanted: streams(4),
      leases: [
        lease('cam-1', 'b', NOW + 1),
        ...streams(4)
          .slice(1)
          .map((s) => lease(s, 'a', 0)),
      ],
      held: new Set(['cam-1']),
      liveNodes: ['a', 'b'],
    });
    assert.deepEqual(plan.renew, ['cam-1']);
    assert.equal(plan.acquire.length, 1);
  });

  it('orders preferences stably per node', () => {
    assert.equal(rendezvousScore('a', 'cam-1'), rendezvousScore('a', 'cam-1'));
    assert.notEqual(rendezvousScore('a', 'cam-1'), rendezvousScore('b', 'cam-1'));
  });
});
