import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from './chunk-pool.js';

test('a pool lends at most its chunks, hands a returned one to the next waiter, and ignores strangers', async () => {
  const pool = new BufferPool(1024, 2);
  const signal = new AbortController().signal;
  const a = await pool.acquire(signal);
  const b = await pool.acquire(signal);
  assert.equal(a.length, 1024);
  assert.notEqual(a.buffer, b.buffer);

  let third: Buffer | undefined;
  const waiting = pool.acquire(signal).then((chunk) => (third = chunk));
  await new Promise((r) => setImmediate(r));
  assert.equal(third, undefined, 'the third acquire waits while both chunks are out');

  pool.release(Buffer.alloc(1024)); // not the pool's
  pool.release(a.subarray(0, 10)); // a view of a lent chunk gives back the whole chunk
  pool.release(a); // given back twice: ignored
  const handedOver = await waiting;
  assert.equal(handedOver.buffer, a.buffer);
  assert.equal(handedOver.length, 1024);

  pool.release(b);
  assert.equal((await pool.acquire(signal)).buffer, b.buffer, 'a free chunk is reused, not reallocated');
});

test('a waiting acquire rejects when its signal aborts, and the pool still works after', async () => {
  const pool = new BufferPool(16, 1);
  const chunk = await pool.acquire(new AbortController().signal);
  const abort = new AbortController();
  const waiting = pool.acquire(abort.signal);
  abort.abort();
  await assert.rejects(waiting, { name: 'AbortError' });
  pool.release(chunk);
  assert.equal((await pool.acquire(new AbortController().signal)).buffer, chunk.buffer);
  await assert.rejects(pool.acquire(abort.signal), { name: 'AbortError' });
});
