/**
 * StreamPublisher to a real RTSP server's record endpoint (GStreamer's
 * gst-rtsp-server taking ANNOUNCE/RECORD, writing what it receives to an
 * MPEG-TS file): 10 s of generated frames over RTSP/TCP, read back with
 * Debian's ffprobe for frame count, frame rate, size, GOP and B-frames.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { paintTestFrame, StreamPublisher } from '../../src/publish/index.js';
import { findFreePort } from '../helpers/free-port.js';
import { assertPublishedTestClip, probeVideoFrames } from '../helpers/media-check.js';

// Debian's python has the GObject bindings; a pyenv shim on PATH may not.
const PYTHON = process.env.VIGIL_TEST_PYTHON ?? '/usr/bin/python3';

/** An RTSP server whose /pub takes RECORD and writes the H.264 it receives to argv[2] as MPEG-TS. */
const RECORD_SERVER = `
import os, sys, gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(sys.argv[1])
factory = GstRtspServer.RTSPMediaFactory()
factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
factory.set_launch('( rtph264depay name=depay0 ! h264parse ! mpegtsmux ! filesink location=%s )' % sys.argv[2])
server.get_mount_points().add_factory('/pub', factory)
server.attach(None)
print('READY', flush=True)
loop = GLib.MainLoop()
parent = os.getppid()
# Never outlive the test process, even when it dies without its after() hook.
GLib.timeout_add_seconds(1, lambda: loop.quit() if os.getppid() != parent else True)
loop.run()
`;

let dir: string | undefined;
let port: number;
let recorded: string;
let server: ChildProcess;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-publish-rtsp-'));
  const script = join(dir, 'record-server.py');
  writeFileSync(script, RECORD_SERVER);
  port = await findFreePort();
  recorded = join(dir, 'recorded.ts');
  server = spawn(PYTHON, [script, String(port), recorded], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let waited = 0; !output.includes('READY'); waited += 50) {
    if (waited > 15_000 || server.exitCode !== null) throw new Error(`RTSP record server did not start: ${output}`);
    await sleep(50);
  }
});
after(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('10 s of frames published with ANNOUNCE/RECORD over TCP arrive whole', { timeout: 90_000 }, async () => {
  const publisher = new StreamPublisher();
  publisher.setParameter({ widthSrc: 640, heightSrc: 360, width: 320, height: 180, GOPSize: 25, maxBframe: 2 });
  await publisher.open(`rtsp://127.0.0.1:${port}/pub`);
  assert.equal(publisher.getParameter('formatName'), 'rtsp');
  for (let i = 0; i < 250; i++) {
    assert.equal(await publisher.serveFrameBlock(paintTestFrame(i, 640, 360)), true, publisher.lastError?.message);
  }
  await publisher.close();
  assert.equal(publisher.counters.dropped, 0);

  // The server writes as it receives: wait until the last frames are on disk.
  let probed = await probeVideoFrames(recorded);
  for (let waited = 0; probed.frames.length < 250 && waited < 10_000; waited += 250) {
    await sleep(250);
    probed = await probeVideoFrames(recorded);
  }
  assertPublishedTestClip(probed);
});
