import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlabAllocator } from './slab-allocator.js';

const bytes = (size: number, fill: number): Uint8Array => new Uint8Array(size).fill(fill);

describe('SlabAllocator', () => {
  it('copies payloads: the source may change afterwards', () => {
    const slabs = new SlabAllocator({ slabBytes: 1024, maxFreeSlabs: 2 });
    const source = bytes(100, 7);
    const unit = slabs.copy(source);
    source.fill(0);
    assert.deepEqual([...unit.data], new Array(100).fill(7));
  });

  it('allocates nothing in the steady state when payloads are released after use', () => {
    const slabs = new SlabAllocator({ slabBytes: 1024, maxFreeSlabs: 2 });
    // A recorder: ~5 payloads held (a fragment in flight) while the next ones are cut.
    const held: { release: () => void }[] = [];
    for (let i = 0; i < 10_000; i++) {
      held.push(slabs.copy(bytes(100 + (i % 50), i & 0xff)));
      if (held.length > 5) held.shift()!.release();
    }
    assert.ok(slabs.slabsAllocated <= 3, `${slabs.slabsAllocated} slabs for 10000 payloads`);
  });

  it('never hands out bytes of a payload that is not released', () => {
    const slabs = new SlabAllocator({ slabBytes: 1024, maxFreeSlabs: 2 });
    const kept = slabs.copy(bytes(200, 0xaa));
    for (let i = 0; i < 100; i++) slabs.copy(bytes(200, i)).release();
    assert.ok(
      kept.data.every((b) => b === 0xaa),
      'a released neighbour overwrote a payload still held',
    );
  });

  it('ignores a second release of the same payload', () => {
    const slabs = new SlabAllocator({ slabBytes: 1024, maxFreeSlabs: 2 });
    const a = slabs.copy(bytes(100, 1));
    const b = slabs.copy(bytes(100, 2));
    a.release();
    a.release();
    // Had the double release counted, b's slab would start over and c would overwrite b.
    const c = slabs.copy(bytes(200, 3));
    assert.ok(b.data.every((x) => x === 2));
    assert.ok(c.data.every((x) => x === 3));
  });

  it('gives a large payload a buffer of its own', () => {
    const slabs = new SlabAllocator({ slabBytes: 1024, maxFreeSlabs: 2 });
    const big = slabs.copy(bytes(600, 9));
    assert.equal(big.data.buffer.byteLength, 600);
    big.release();
    assert.equal(slabs.slabsAllocated, 0);
  });
});
