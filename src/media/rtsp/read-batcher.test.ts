import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTcpServer, type TcpServer } from '../../../test/helpers/tcp-server.js';
import { ReadBatcher } from './read-batcher.js';
import { RtspConnection } from './rtsp-connection.js';

const servers: TcpServer[] = [];
const connections: RtspConnection[] = [];
after(async () => {
  for (const connection of connections) connection.close();
  for (const server of servers) await server.stop();
});

/** Interleaved RTP frame number `n` on channel 0: 1000 bytes starting with n. */
function frame(n: number): Buffer {
  const bytes = Buffer.alloc(4 + 1000, n % 256);
  bytes[0] = 0x24;
  bytes[1] = 0;
  bytes.writeUInt16BE(1000, 2);
  bytes.writeUInt32BE(n, 4);
  return bytes;
}

/**
 * A connection to a server that sends frames 0..count-1 every 5 ms, batched by a
 * batcher whose ticks only the test makes; it counts reads and keeps frame numbers.
 */
async function batchedConnection(count: number) {
  const server = await startTcpServer((socket: Socket) => {
    let n = 0;
    const timer = setInterval(() => {
      socket.write(frame(n++));
      if (n === count) clearInterval(timer);
    }, 5);
    socket.on('close', () => clearInterval(timer));
  });
  servers.push(server);
  const connection = await RtspConnection.open('127.0.0.1', server.port, undefined, 'test');
  connections.push(connection);
  const batcher = new ReadBatcher(3_600_000);
  const seen = { reads: 0, frames: [] as number[] };
  connection.onData = () => seen.reads++;
  connection.onFrame = (_channel, data, offset, length) => {
    assert.equal(length, 1000);
    seen.frames.push(data.readUInt32BE(offset));
  };
  connection.batchReads(batcher);
  return { connection, batcher, seen };
}

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5_000) throw new Error('timed out');
    await sleep(10);
  }
}

const inOrder = (count: number) => Array.from({ length: count }, (_, i) => i);

test('a batched connection reads once, then not again until the tick, and loses nothing', async () => {
  const { batcher, seen } = await batchedConnection(10);
  await until(() => seen.reads === 1);
  await sleep(150); // the server has sent everything by now
  assert.equal(seen.reads, 1, 'no read between ticks');
  batcher.flush();
  await until(() => seen.frames.length === 10);
  assert.ok(seen.reads <= 2, `the rest came in one read after the tick (${seen.reads} reads)`);
  assert.deepEqual(seen.frames, inOrder(10));
});

test('a consumer that paused stays paused through the tick, and reads again when it resumes', async () => {
  const { connection, batcher, seen } = await batchedConnection(10);
  await until(() => seen.reads === 1);
  connection.pause();
  await sleep(150);
  batcher.flush();
  await sleep(50);
  assert.equal(seen.reads, 1, 'the tick did not resume a paused consumer');
  connection.resume();
  await until(() => seen.frames.length === 10);
  assert.deepEqual(seen.frames, inOrder(10));
});

test('a consumer resuming between ticks does not read before the tick', async () => {
  const { connection, batcher, seen } = await batchedConnection(10);
  await until(() => seen.reads === 1);
  connection.pause();
  connection.resume();
  await sleep(150);
  assert.equal(seen.reads, 1);
  batcher.flush();
  await until(() => seen.frames.length === 10);
  assert.deepEqual(seen.frames, inOrder(10));
});

test('one timer serves every deferred resume; cancelling the last stops it', async () => {
  const batcher = new ReadBatcher(20);
  const ran: string[] = [];
  const a = () => ran.push('a');
  const b = () => ran.push('b');
  batcher.defer(a);
  batcher.defer(b);
  batcher.defer(a);
  await sleep(60);
  assert.deepEqual(ran, ['a', 'b'], 'each resume ran once, at the same tick');
  batcher.defer(a);
  batcher.cancel(a);
  await sleep(60);
  assert.deepEqual(ran, ['a', 'b'], 'a cancelled resume does not run');
});
