import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startTcpServer } from '../../test/helpers/tcp-server.js';
import { isVigilError } from '../errors.js';
import { IoDeadline } from './network-deadline.js';
import { isRelayed, openRtmpRelay, relayUrl, type RtmpRelay } from './rtmp-relay.js';

describe('relayUrl', () => {
  it('replaces host and port only, keeping userinfo, path and query byte for byte', () => {
    assert.equal(
      relayUrl('rtmp://user:p%40ss@Live.Example.com:1936/live/cam?key=a%2Fb&x=%20', 5000),
      'rtmp://user:p%40ss@127.0.0.1:5000/live/cam?key=a%2Fb&x=%20',
    );
    assert.equal(relayUrl('RTMP://h/app/st%C3%A9', 5000), 'RTMP://127.0.0.1:5000/app/st%C3%A9');
    assert.equal(relayUrl('rtmp://[::1]:1935/app/s', 5000), 'rtmp://127.0.0.1:5000/app/s');
    assert.equal(relayUrl('rtmp://u@x@h.example/app?key=k', 5000), 'rtmp://u@x@127.0.0.1:5000/app?key=k');
    assert.equal(relayUrl('rtmp://h.example', 5000), 'rtmp://127.0.0.1:5000');
    assert.equal(relayUrl('rtmp://h.example?key=k', 5000), 'rtmp://127.0.0.1:5000?key=k');
  });

  it('refuses a URL without a host, without echoing it', () => {
    assert.throws(
      () => relayUrl('rtmp:///live/secret-key', 5000),
      (err: unknown) => isVigilError(err, 'INTERNAL') && !err.message.includes('secret-key'),
    );
  });

  it('relays plain rtmp:// only', () => {
    assert.equal(isRelayed('rtmp://h/live/a'), true);
    assert.equal(isRelayed('RTMP://h/live/a'), true);
    assert.equal(isRelayed('rtmps://h/live/a'), false);
    assert.equal(isRelayed('rtsp://h/a'), false);
  });
});

function relayPort(relay: RtmpRelay): number {
  return Number(/^rtmp:\/\/127\.0\.0\.1:(\d+)/.exec(relay.localUrl)?.[1]);
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Everything `socket` reads until its end. */
async function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  return Buffer.concat(chunks);
}

async function assertNothingListens(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  const [err] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');
}

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('openRtmpRelay', () => {
  it('carries bytes both ways unchanged, then closes everything', async () => {
    const toServer = randomBytes(3 * 1024 * 1024 + 17);
    const toClient = randomBytes(2 * 1024 * 1024 + 5);
    let received: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const upstream = await startTcpServer((socket) => {
      received = readAll(socket);
      socket.end(toClient);
    });
    const relay = await openRtmpRelay('rtmp://origin/live/a', `rtmp://127.0.0.1:${upstream.port}/live/a?k=1`, 5000);
    assert.match(relay.localUrl, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/a\?k=1$/);
    const client = await connectTo(relayPort(relay));
    const answer = readAll(client);
    client.end(toServer);
    assert.equal(sha(await answer), sha(toClient));
    await relay.finish();
    assert.equal(sha(await received), sha(toServer));
    await assertNothingListens(relayPort(relay));
    await upstream.stop();
  });

  it('names the address when the server refuses the connection', async () => {
    const gone = await startTcpServer(() => undefined);
    await gone.stop();
    await assert.rejects(
      openRtmpRelay('vigil://cam', `rtmp://127.0.0.1:${gone.port}/live/cam`, 5000),
      (err: unknown) =>
        isVigilError(err, 'PUBLISH_FAILED') &&
        err.field === 'address' &&
        err.message.startsWith('address: cannot open vigil://cam for publishing: ') &&
        err.message.includes('ECONNREFUSED'),
    );
  });

  it('a server that accepts and never answers: the deadline cuts the relay, the client sees an error', async () => {
    const serverClosed: Array<Promise<unknown>> = [];
    // Reads (and drops) what it is sent, so it sees the relay close its connection; never answers.
    const silent = await startTcpServer((socket) => {
      socket.resume();
      serverClosed.push(once(socket, 'close'));
    });
    const address = `rtmp://127.0.0.1:${silent.port}/live/frozen`;
    const relay = await openRtmpRelay(address, address, 5000);
    const client = await connectTo(relayPort(relay));
    const clientError = once(client, 'error') as Promise<[NodeJS.ErrnoException]>;
    // What FFmpeg does: send the handshake, wait for the answer.
    const deadline = new IoDeadline(address, 200, () => relay.cut());
    const handshake = () =>
      new Promise<void>((resolve, reject) => {
        client.once('data', () => resolve());
        client.once('close', () => reject(new Error('connection closed')));
        client.write(randomBytes(1537));
      });
    await assert.rejects(
      deadline.run('starting to publish', handshake),
      (err: unknown) =>
        isVigilError(err, 'TIMEOUT') &&
        err.field === 'address' &&
        err.message.startsWith(
          `address: ${address} did not answer within 200 ms (timeoutMs) while starting to publish`,
        ),
    );
    const [err] = await clientError;
    assert.equal(err.code, 'ECONNRESET');
    await Promise.all(serverClosed);
    await assertNothingListens(relayPort(relay));
    await silent.stop();
  });

  it('passes on the server going away: the client reads the end, then its writes fail', async () => {
    const upstream = await startTcpServer((socket) => socket.once('data', () => socket.destroy()));
    const relay = await openRtmpRelay('rtmp://h/live/a', `rtmp://127.0.0.1:${upstream.port}/live/a`, 5000);
    // Like FFmpeg: the end it reads does not close its own side.
    const client = connect({ port: relayPort(relay), host: '127.0.0.1', allowHalfOpen: true });
    await once(client, 'connect');
    const failed = once(client, 'error') as Promise<[NodeJS.ErrnoException]>;
    client.write('hello');
    client.resume();
    await once(client, 'end');
    const keepWriting = (): void => {
      if (!client.destroyed) client.write(Buffer.alloc(1024), () => setImmediate(keepWriting));
    };
    keepWriting();
    const [err] = await failed;
    assert.ok(['ECONNRESET', 'EPIPE'].includes(err.code ?? ''), err.message);
    await relay.finish();
    await assertNothingListens(relayPort(relay));
    await upstream.stop();
  });

  it('holds the writer back when the server stops reading, and loses nothing once it reads again', async () => {
    const chunk = randomBytes(1024 * 1024);
    let serverSocket: Socket | undefined;
    let serverBytes = 0;
    const upstream = await startTcpServer((socket) => {
      serverSocket = socket;
      socket.on('data', (data: Buffer) => (serverBytes += data.length));
      socket.pause();
    });
    const relay = await openRtmpRelay('rtmp://h/live/a', `rtmp://127.0.0.1:${upstream.port}/live/a`, 5000);
    const client = await connectTo(relayPort(relay));
    // Push until the writes stop draining (a second without progress ends the push; a slow machine only
    // ends it sooner). Kernel buffers on loopback hold a few tens of MB at most: a relay that buffered
    // in Node would drain all 256 MB.
    const limit = 256;
    let written = 0;
    while (written < limit) {
      written += 1;
      if (client.write(chunk)) continue;
      const drained = await Promise.race([once(client, 'drain').then(() => true), sleep(1000).then(() => false)]);
      if (!drained) break;
    }
    assert.ok(written < limit, `the writer was drained of all ${limit} MB while the server did not read`);
    client.end();
    assert.ok(serverSocket !== undefined);
    serverSocket.resume();
    await once(serverSocket, 'end');
    assert.equal(serverBytes, written * chunk.length);
    await relay.finish();
    await upstream.stop();
  });
});
