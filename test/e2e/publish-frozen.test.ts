/**
 * A frozen server never hangs a StreamPublisher: servers that accept the TCP
 * connection and then never read or answer (RTMP: open() fails; RTSP: the
 * first frames are refused), and a real RTMP server that stops reading after
 * the publish started (behind a relay of the test's, in front of the
 * publisher's own). Each time the error is a TIMEOUT naming the address and
 * `timeoutMs`, `close()` returns, and `open()` works again against a working
 * server. This file's process exiting is the check that nothing is left
 * dangling (the publisher's relay included).
 */
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { VigilError } from '../../src/errors.js';
import { paintTestFrame, StreamPublisher } from '../../src/publish/index.js';
import { findFreePort, portOf } from '../helpers/free-port.js';
import { startRtmpServer, type NodeMediaServerInstance } from '../helpers/rtmp-server.js';
import { startTcpServer, type TcpServer } from '../helpers/tcp-server.js';

const TIMEOUT_MS = 1500;

/** Accepts connections and never reads from them nor answers. */
function startSilentServer(): Promise<TcpServer> {
  return startTcpServer((socket) => socket.pause());
}

/** A relay to `targetPort` whose `freeze()` stops reading from the publisher (the server stays connected). */
async function startFreezableRelay(
  targetPort: number,
): Promise<{ port: number; freeze: () => void; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const clients: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    clients.push(client);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: portOf(server),
    freeze: () => {
      for (const client of clients) {
        client.unpipe();
        client.pause();
      }
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Pushes frames until one is refused; returns how many were accepted before it (undefined: none refused). */
async function pushUntilRefused(publisher: StreamPublisher, frame: (i: number) => Uint8Array, max: number) {
  for (let i = 0; i < max; i++) {
    if (!(await publisher.serveFrameBlock(frame(i)))) return i;
  }
  return undefined;
}

function assertTimeout(errors: VigilError[], address: string): void {
  const timeout = errors.find((err) => err.code === 'TIMEOUT');
  assert.ok(timeout !== undefined, `a TIMEOUT error, got ${errors.map((e) => e.message).join(' | ')}`);
  assert.equal(timeout.field, 'address');
  assert.ok(timeout.message.includes(address), timeout.message);
  assert.match(timeout.message, new RegExp(`within ${TIMEOUT_MS} ms \\(timeoutMs\\)`));
}

let dir: string;
let rtmpPort: number;
let server: NodeMediaServerInstance;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-publish-frozen-'));
  rtmpPort = await findFreePort();
  server = startRtmpServer(rtmpPort, join(dir, 'nms'));
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a frozen server never hangs the publisher', { timeout: 120_000 }, () => {
  // RTMP's handshake runs in open() (FFmpeg's avio_open2, under the deadline through the relay), so there
  // open() fails; RTSP connects at the first frame, so there the first frames are refused.
  test('rtmp: a server that accepts and never answers fails open() with TIMEOUT', async () => {
    const silent = await startSilentServer();
    const address = `rtmp://127.0.0.1:${silent.port}/live/frozen`;
    const publisher = new StreamPublisher();
    publisher.setParameter({ width: 160, height: 120, GOPSize: 10, timeoutMs: TIMEOUT_MS });
    const failure = await publisher.open(address).then(
      () => assert.fail('open() resolved against a silent server'),
      (err: VigilError) => err,
    );
    assertTimeout([failure], address);
    assert.equal(publisher.state, 'closed');
    await publisher.close();
    await silent.stop();
    await publishWorks(publisher, `rtmp://127.0.0.1:${rtmpPort}/live/after-rtmp`, 160, 120);
  });

  test('rtsp: a server that accepts and never answers fails the first frames with TIMEOUT', async () => {
    const silent = await startSilentServer();
    const address = `rtsp://127.0.0.1:${silent.port}/live/frozen`;
    const publisher = new StreamPublisher();
    const errors: VigilError[] = [];
    publisher.on('error', (err) => errors.push(err));
    publisher.setParameter({ width: 160, height: 120, GOPSize: 10, timeoutMs: TIMEOUT_MS });
    await publisher.open(address);
    const refusedAt = await pushUntilRefused(publisher, (i) => paintTestFrame(i, 160, 120), 500);
    assert.ok(refusedAt !== undefined, 'a frame is refused');
    assert.equal(publisher.state, 'failed');
    assertTimeout(errors, address);
    await publisher.close();
    assert.equal(publisher.state, 'closed');
    await silent.stop();
    await publishWorks(publisher, `rtmp://127.0.0.1:${rtmpPort}/live/after-rtsp`, 160, 120);
  });

  test('rtmp: a server that stops reading mid-stream fails a frame with TIMEOUT; open() works again', async () => {
    const relay = await startFreezableRelay(rtmpPort);
    const address = `rtmp://127.0.0.1:${relay.port}/live/stalled`;
    const published = new Promise<void>((resolve) =>
      server.on('postPublish', (session) => session.streamPath === '/live/stalled' && resolve()),
    );
    const publisher = new StreamPublisher();
    const errors: VigilError[] = [];
    publisher.on('error', (err) => errors.push(err));
    // Noise at a high bit rate fills the socket buffers quickly once nobody reads.
    publisher.setParameter({ width: 640, height: 360, GOPSize: 25, bitRate: 40_000, timeoutMs: TIMEOUT_MS });
    await publisher.open(address);
    const noise = Buffer.alloc(640 * 360 * 3);
    let accepted = 0;
    while (accepted < 50 && (await publisher.serveFrame(randomFillSync(noise)))) accepted += 1;
    await published;
    relay.freeze();
    let refused = false;
    for (let i = 0; i < 100_000 && !refused; i++) refused = !(await publisher.serveFrame(randomFillSync(noise)));
    assert.ok(refused, 'a frame is refused once the server stops reading');
    assert.equal(publisher.state, 'failed');
    assertTimeout(errors, address);
    await publisher.close();
    await relay.stop();

    publisher.setParameter({ width: 640, height: 360 });
    await publishWorks(publisher, `rtmp://127.0.0.1:${rtmpPort}/live/after-stall`, 640, 360);
  });
});

/** open() at a working server, 30 frames all accepted, close() without loss. */
async function publishWorks(publisher: StreamPublisher, address: string, width: number, height: number) {
  await publisher.open(address);
  for (let i = 0; i < 30; i++) assert.equal(await publisher.serveFrame(paintTestFrame(i, width, height)), true);
  await publisher.close();
  assert.equal(publisher.counters.dropped, 0);
}
