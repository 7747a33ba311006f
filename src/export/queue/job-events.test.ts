import assert from 'node:assert/strict';
import { it } from 'node:test';
import { JobEventHub } from './job-events.js';
import type { ExportJobEvent } from './job-types.js';
import { silentLogger } from './job-types.js';

const progress = (id: string, percent: number): ExportJobEvent => ({
  type: 'progress',
  id,
  step: 'copying',
  percent,
  atUs: 0,
});
const removed = (id: string): ExportJobEvent => ({ type: 'removed', id, atUs: 0 });

it('keeps only the latest unread progress of a job, in its place', async () => {
  const hub = new JobEventHub(silentLogger);
  const events = hub.subscribe();
  hub.emit(progress('a', 1));
  hub.emit(progress('b', 1));
  hub.emit(progress('a', 2));
  hub.emit(removed('c'));
  hub.emit(progress('a', 3));
  const got: ExportJobEvent[] = [];
  for (let i = 0; i < 3; i++) got.push((await events.next()).value as ExportJobEvent);
  assert.deepEqual(got, [progress('a', 3), progress('b', 1), removed('c')]);
  await events.return?.();
});

it('drops the oldest events past maxBuffered, and ends when the signal aborts', async () => {
  const hub = new JobEventHub(silentLogger);
  const controller = new AbortController();
  const events = hub.subscribe({ signal: controller.signal, maxBuffered: 2 });
  for (const id of ['a', 'b', 'c']) hub.emit(removed(id));
  assert.deepEqual((await events.next()).value, removed('b'));
  assert.deepEqual((await events.next()).value, removed('c'));
  const pending = events.next();
  controller.abort();
  assert.deepEqual(await pending, { done: true, value: undefined });
  hub.emit(removed('d'));
  assert.equal((await events.next()).done, true);
});

it('keeps calling the other listeners when one throws', () => {
  const hub = new JobEventHub(silentLogger);
  const seen: string[] = [];
  hub.on(() => {
    throw new Error('bad listener');
  });
  const off = hub.on((e) => seen.push(e.type));
  hub.emit(removed('a'));
  off();
  hub.emit(removed('b'));
  assert.deepEqual(seen, ['removed']);
});
