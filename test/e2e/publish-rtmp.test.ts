/**
 * StreamPublisher to a real RTMP server (node-media-server on 127.0.0.1),
 * read back by Debian's ffmpeg as a viewer would: 10 s of generated frames
 * pushed with serveFrameBlock, checked for frame count, frame rate, scaled
 * size, GOP and B-frames, and for real-time pacing; then a server that goes
 * away mid-stream.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import type { VigilError } from '../../src/errors.js';
import { paintTestFrame, StreamPublisher } from '../../src/publish/index.js';
import { findFreePort, portOf } from '../helpers/free-port.js';
import { assertPublishedTestClip, probeVideoFrames } from '../helpers/media-check.js';
import { startRtmpServer, type NodeMediaServerInstance } from '../helpers/rtmp-server.js';

/** A TCP relay in front of the RTMP server that the test can cut, as a server going away. */
async function startRelay(targetPort: number): Promise<{ port: number; cut: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: portOf(server),
    cut: async () => {
      for (const socket of sockets) socket.resetAndDestroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Debian's ffmpeg reading `url` into `file` as FLV, stream copy, until `frames` frames. */
function startReader(url: string, file: string, frames: number): ChildProcess {
  return spawn(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-i', url, '-c', 'copy', '-frames:v', String(frames), '-f', 'flv', '-y', file],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** Waits for `child` to exit; kills it after `ms` so a short stream fails the checks instead of hanging. */
async function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGTERM'), ms);
  await once(child, 'exit');
  clearTimeout(timer);
}

let dir: string;
let rtmpPort: number;
let server: NodeMediaServerInstance;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-publish-rtmp-'));
  rtmpPort = await findFreePort();
  server = startRtmpServer(rtmpPort, join(dir, 'nms'));
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('publishing to an RTMP server', { timeout: 120_000 }, () => {
  test('10 s of frames paced by serveFrameBlock arrive whole: count, rate, size, GOP, B-frames', async () => {
    const url = `rtmp://127.0.0.1:${rtmpPort}/live/frames`;
    const publisher = new StreamPublisher();
    publisher.setParameter({ widthSrc: 640, heightSrc: 360, width: 320, height: 180, GOPSize: 25, maxBframe: 2 });
    await publisher.open(url);
    assert.equal(publisher.getParameter('formatName'), 'flv');
    const file = join(dir, 'read-back.flv');
    const playing = new Promise<void>((resolve) => server.on('postPlay', () => resolve()));
    const reader = startReader(url, file, 250);
    let readerErrors = '';
    reader.stderr?.on('data', (chunk: Buffer) => (readerErrors += chunk.toString()));
    await playing;

    const frameAhead = publisher.getParameter('frameAhead');
    const started = performance.now();
    for (let i = 0; i < 250; i++) {
      assert.equal(await publisher.serveFrameBlock(paintTestFrame(i, 640, 360)), true, publisher.lastError?.message);
    }
    const elapsedS = (performance.now() - started) / 1000;
    await publisher.close();
    await waitExit(reader, 15_000);

    assert.ok(elapsedS >= 10 - frameAhead / 25, `paced at real time: ${elapsedS.toFixed(2)} s for 10 s of frames`);
    assert.equal(reader.exitCode, 0, readerErrors);
    assertPublishedTestClip(await probeVideoFrames(file));
  });

  test('a server that goes away: serveFrame reports it, close() returns, open() works again', async () => {
    const relay = await startRelay(rtmpPort);
    const publisher = new StreamPublisher();
    const errors: VigilError[] = [];
    publisher.on('error', (err) => errors.push(err));
    publisher.setParameter({ width: 160, height: 120, GOPSize: 10 });
    await publisher.open(`rtmp://127.0.0.1:${relay.port}/live/gone`);
    for (let i = 0; i < 10; i++) assert.equal(await publisher.serveFrameBlock(paintTestFrame(i, 160, 120)), true);
    await relay.cut();
    let refusedAt: number | undefined;
    for (let i = 10; i < 110 && refusedAt === undefined; i++) {
      if (!(await publisher.serveFrameBlock(paintTestFrame(i, 160, 120)))) refusedAt = i;
    }
    assert.ok(refusedAt !== undefined, 'a frame is refused once the connection is gone');
    assert.equal(publisher.state, 'failed');
    assert.ok(errors.length >= 1 && /rtmp:\/\/127\.0\.0\.1/.test(errors[0]!.message), errors[0]?.message);
    await publisher.close();
    assert.ok(publisher.counters.dropped > 0);

    await publisher.open(`rtmp://127.0.0.1:${rtmpPort}/live/back`);
    assert.equal(await publisher.serveFrame(paintTestFrame(0, 160, 120)), true);
    await publisher.close();
  });

  test('an RTMP address with no server behind it fails open() with the address', async () => {
    const publisher = new StreamPublisher();
    publisher.setParameter({ width: 160, height: 120 });
    const port = await findFreePort();
    await assert.rejects(publisher.open(`rtmp://127.0.0.1:${port}/live/none`), (err: unknown) => {
      assert.match(
        (err as Error).message,
        /^address: cannot open rtmp:\/\/127\.0\.0\.1:\d+\/live\/none for publishing/,
      );
      return true;
    });
    assert.equal(publisher.state, 'closed');
  });
});
