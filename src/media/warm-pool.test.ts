import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WarmPool, type PooledItem } from './warm-pool.js';

/** A stand-in for a codec: records what the pool does with it. */
class FakeItem implements PooledItem {
  static opened: FakeItem[] = [];
  closed = 0;
  recycled = 0;
  busy = false;
  recyclable = true;
  private onClose: (() => void) | undefined;

  constructor(readonly key: string) {
    FakeItem.opened.push(this);
  }

  recycle(): boolean {
    this.recycled++;
    return this.recyclable;
  }

  close(): void {
    this.closed++;
    this.onClose?.();
  }

  whenClosed(): Promise<void> {
    return this.closed > 0 ? Promise.resolve() : new Promise((resolve) => (this.onClose = resolve));
  }
}

function makePool(overrides: Partial<ConstructorParameters<typeof WarmPool>[0]> = {}): WarmPool<FakeItem> {
  FakeItem.opened = [];
  return new WarmPool<FakeItem>({ idleMs: 60_000, maxIdlePerKey: 2, maxIdle: 4, ...overrides });
}

const open = (key: string) => () => Promise.resolve(new FakeItem(key));

/** Marks the item busy for the body's length, failing if another call already holds it. */
async function hold(item: FakeItem, until: Promise<void> = Promise.resolve()): Promise<FakeItem> {
  assert.equal(item.busy, false, 'two calls hold one item at once');
  item.busy = true;
  await until;
  item.busy = false;
  return item;
}

test('a second call with the same key gets the item the first one gave back, recycled', async () => {
  const pool = makePool();
  const first = await pool.use('a', open('a'), (item) => hold(item));
  const second = await pool.use('a', open('a'), (item) => hold(item));
  assert.equal(second, first);
  assert.equal(FakeItem.opened.length, 1);
  assert.equal(first.recycled, 2);
  assert.equal(first.closed, 0);
  const other = await pool.use('b', open('b'), (item) => hold(item));
  assert.notEqual(other, first, 'another key never gets this item');
  pool.close();
});

test('calls at the same time each get their own item, and at most maxIdlePerKey stay open', async () => {
  const pool = makePool({ maxIdlePerKey: 2 });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const calls = [1, 2, 3].map(() => pool.use('a', open('a'), (item) => hold(item, gate)));
  release();
  const items = await Promise.all(calls);
  assert.equal(new Set(items).size, 3);
  assert.equal(items.filter((i) => i.closed === 1).length, 1, 'the third is closed: only two are kept');
  assert.equal(pool.idleSize, 2);
  pool.close();
  assert.ok(items.every((i) => i.closed === 1));
});

test('an item whose call failed, or that cannot be recycled, is closed and never handed out again', async () => {
  const pool = makePool();
  let failed: FakeItem | undefined;
  await assert.rejects(
    pool.use('a', open('a'), (item) => {
      failed = item;
      return Promise.reject(new Error('decode failed'));
    }),
    /decode failed/,
  );
  assert.equal(failed?.closed, 1);
  const next = await pool.use('a', open('a'), (item) => hold(item));
  assert.notEqual(next, failed);

  next.recyclable = false;
  await pool.use('a', open('a'), (item) => hold(item));
  assert.equal(next.closed, 1);
  assert.equal(pool.idleSize, 0);
  pool.close();
});

test('close() closes idle items at once and busy ones when their call ends; later calls keep nothing', async () => {
  const pool = makePool();
  const idle = await pool.use('a', open('a'), (item) => hold(item));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let busy: FakeItem | undefined;
  const inFlight = pool.use('b', open('b'), (item) => {
    busy = item;
    return hold(item, gate);
  });
  await new Promise<void>((resolve) => setImmediate(resolve));
  pool.close();
  assert.equal(idle.closed, 1);
  assert.equal(busy?.closed, 0);
  release();
  await inFlight;
  assert.equal(busy?.closed, 1);
  const after = await pool.use('a', open('a'), (item) => hold(item));
  assert.equal(after.closed, 1);
  assert.equal(pool.idleSize, 0);
  assert.ok(
    FakeItem.opened.every((i) => i.closed === 1),
    'every item closed exactly once',
  );
});

test('an idle item closes after idleMs, and the cap over all keys closes the oldest', async () => {
  const pool = makePool({ idleMs: 5 });
  const item = await pool.use('a', open('a'), (i) => hold(i));
  // The pool's timer is unref'd (it must not hold a process open): keep this test's loop alive meanwhile.
  const keepAlive = setInterval(() => undefined, 1000);
  await item.whenClosed();
  clearInterval(keepAlive);
  assert.equal(pool.idleSize, 0);
  pool.close();

  const capped = makePool({ maxIdle: 2 });
  const a = await capped.use('a', open('a'), (i) => hold(i));
  await capped.use('b', open('b'), (i) => hold(i));
  await capped.use('c', open('c'), (i) => hold(i));
  assert.equal(a.closed, 1);
  assert.equal(capped.idleSize, 2);
  capped.close();
});
