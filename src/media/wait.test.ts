import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError } from '../errors.js';
import { StallWatchdog } from './wait.js';

const never = new Promise<number>(() => undefined);
const stalled = (): Error => new VigilError('TIMEOUT', 'no data');

test('a watchdog passes reads through, and fails a read that brings nothing with the stall error', async () => {
  const watchdog = new StallWatchdog(50, undefined, stalled);
  try {
    for (let i = 0; i < 3; i++) assert.equal(await watchdog.wait(Promise.resolve(i)), i);
    await assert.rejects(watchdog.wait(never), { code: 'TIMEOUT' });
    // Once stalled, the source is done: later reads fail the same way.
    await assert.rejects(watchdog.wait(Promise.resolve(1)), { code: 'TIMEOUT' });
  } finally {
    watchdog.dispose();
  }
});

test('time between reads does not count towards a stall', async () => {
  const watchdog = new StallWatchdog(40, undefined, stalled);
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal(await watchdog.wait(Promise.resolve(i)), i);
      // The consumer is busy for longer than the timeout between two reads.
      await new Promise((r) => setTimeout(r, 60));
    }
  } finally {
    watchdog.dispose();
  }
});

test('an abort fails the read in flight with CANCELED', async () => {
  const controller = new AbortController();
  const watchdog = new StallWatchdog(60_000, controller.signal, stalled);
  try {
    const waiting = watchdog.wait(never);
    controller.abort();
    await assert.rejects(waiting, { code: 'CANCELED' });
  } finally {
    watchdog.dispose();
  }
});
