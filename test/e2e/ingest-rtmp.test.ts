/**
 * Publishing into Vigil: Debian's ffmpeg pushes a clip (`-re`, real time) to a
 * real Vigil's RTMP ingest with the stream's publish key. Vigil records it as
 * it records a pulled source: ranges appear, a gap shows between two
 * publishes, and an export of a range is judged by ffprobe. A wrong key is
 * refused and records nothing; the stream list shows the publisher's state.
 * A publisher that is connected but sends no media leaves the stream
 * waiting; deleting or disabling a stream, or changing its key, disconnects
 * the publisher that is live on it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../helpers/free-port.js';
import { decodeErrors, makeTestClip, probeDurationSeconds, probeStreams } from '../helpers/media-check.js';
import {
  eventually,
  recordedRanges,
  startVigilProcess,
  TEST_TOKEN,
  type RecordedRange,
  type VigilProcess,
} from '../helpers/vigil-process.js';

const KEY = 'e2e-publish-key-0001';
const CLIP_S = 6;
const FPS = 25;

interface PublisherView {
  state: 'publishing' | 'waiting';
  via?: string;
  client?: string;
  since: number;
}
interface StreamView {
  name: string;
  state: { status: string; last_error?: unknown; publisher?: PublisherView };
}

function publish(clip: string, url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-re', '-i', clip, '-c', 'copy', '-f', 'flv', url], {
      stdio: 'ignore',
    });
    child.once('close', (code) => resolve(code));
  });
}

/** ffmpeg publishing the clip in a loop until the connection goes; `exited` resolves with its exit code. */
function publishForever(clip: string, url: string): { child: ChildProcess; exited: Promise<number | null> } {
  const args = ['-v', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', url];
  const child = spawn('ffmpeg', args, { stdio: 'ignore' });
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { child, exited };
}

/**
 * A relay to Vigil that holds back everything the publisher sends after Vigil
 * accepted its publish (the reply "NetStream.Publish.Start"), until `release()`:
 * a publisher connected but silent.
 */
async function startHoldingRelay(targetPort: number): Promise<{ port: number; release: () => void; stop: () => void }> {
  const sockets = new Set<Socket>();
  const releases: Array<() => void> = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (client.destroy(), upstream.destroy()));
    }
    let holding = false;
    let released = false;
    const held: Buffer[] = [];
    upstream.on('data', (chunk: Buffer) => {
      if (!released && chunk.includes('NetStream.Publish.Start')) holding = true;
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      if (holding) held.push(chunk);
      else upstream.write(chunk);
    });
    releases.push(() => {
      released = true;
      holding = false;
      for (const chunk of held.splice(0)) upstream.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    release: () => releases.forEach((release) => release()),
    stop: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('RTMP publishers into Vigil', { timeout: 240_000 }, () => {
  let dir: string;
  let clip: string;
  let vigil: VigilProcess;
  let rtmpPort: number;

  async function listed(name: string): Promise<StreamView | undefined> {
    const res = await vigil.api('GET', '/streamer/api/v3/streams');
    assert.equal(res.status, 200);
    return (res.body as { streams: StreamView[] }).streams.find((s) => s.name === name);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-e2e-'));
    clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: CLIP_S, size: '320x240', fps: FPS, audioRate: 44_100 });
    mkdirSync(join(dir, 'vigil'));
    rtmpPort = await findFreePort();
    vigil = await startVigilProcess({
      dataDir: join(dir, 'vigil'),
      port: await findFreePort(),
      extraConfig: `dvr:\n  segment_duration: 2\nrtmp:\n  listen: ${rtmpPort}\n`,
    });
    for (const name of ['cam', 'door', 'quiet', 'gone', 'paused', 'rekeyed']) {
      const put = await vigil.api('PUT', `/streamer/api/v3/streams/${name}`, { url: 'publish://', publish_key: KEY });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(JSON.stringify(put.body).includes(KEY), false, 'the key is never returned');
    }
  });

  after(async () => {
    await vigil?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  function withOutput<T>(run: () => Promise<T>): Promise<T> {
    return run().catch((err: unknown) => {
      if (err instanceof Error) err.message += `\n--- vigil output (tail) ---\n${vigil.output().slice(-3000)}`;
      throw err;
    });
  }

  test('a stream with no publisher waits for one', async () => {
    const view = await eventually('cam waiting', async () => {
      const v = await listed('cam');
      return v?.state.status === 'waiting' ? v : undefined;
    });
    assert.equal(view.state.publisher?.state, 'waiting');
  });

  test('a wrong key is refused and records nothing', () =>
    withOutput(async () => {
      const code = await publish(clip, `rtmp://127.0.0.1:${rtmpPort}/live/door?key=wrong-key-0001`);
      assert.notEqual(code, 0, 'ffmpeg fails: the connection was closed');
      assert.deepEqual(await recordedRanges(vigil, 'door'), []);
      assert.equal((await listed('door'))?.state.publisher?.state, 'waiting');
      assert.match(vigil.output(), /RTMP publisher refused/);
      assert.match(vigil.output(), /wrong key/);
      assert.equal(vigil.output().includes('wrong-key-0001'), false, 'the given key is not logged');
      assert.equal(vigil.output().includes(KEY), false, 'the stream key is not logged');
    }));

  let ranges: RecordedRange[] = [];

  test('two publishes are recorded as two ranges with the gap between them', () =>
    withOutput(async () => {
      const url = `rtmp://127.0.0.1:${rtmpPort}/live/cam?key=${KEY}`;
      const first = publish(clip, url);
      const live = await eventually('cam publishing', async () => {
        const v = await listed('cam');
        return v?.state.publisher?.state === 'publishing' ? v : undefined;
      });
      assert.equal(live.state.publisher?.via, 'rtmp');
      assert.match(live.state.publisher?.client ?? '', /127\.0\.0\.1:\d+$/);
      assert.equal(await first, 0);
      await eventually('cam waiting again', async () =>
        (await listed('cam'))?.state.status === 'waiting' ? true : undefined,
      );
      // Longer than the archive's gap tolerance (1.5 s), so the two publishes cannot join.
      await sleep(3000);
      assert.equal(await publish(clip, url), 0);
      ranges = await eventually('two ranges', async () => {
        const r = await recordedRanges(vigil, 'cam');
        return r.length === 2 && (await listed('cam'))?.state.status === 'waiting' ? r : undefined;
      });
      const [a, b] = ranges as [RecordedRange, RecordedRange];
      assert.ok(b.from - (a.from + a.duration) >= 1.5, `a gap between ${JSON.stringify(ranges)}`);
      for (const r of ranges) {
        // A recorder joins at the publish's first keyframe: all of it, at most a second less.
        assert.ok(r.duration > CLIP_S - 1.5 && r.duration < CLIP_S + 0.5, `range ${JSON.stringify(r)}`);
      }
    }));

  test('a range of the publish exports to an MP4 that ffprobe reads whole', () =>
    withOutput(async () => {
      const range = ranges[0];
      assert.ok(range, 'the ranges test ran first');
      const from = Math.ceil(range.from);
      const duration = Math.floor(range.from + range.duration - from);
      const res = await fetch(`${vigil.baseUrl}/cam/archive-${from}-${duration}.mp4`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      assert.equal(res.status, 200);
      const file = join(dir, 'export.mp4');
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      assert.ok(Math.abs((await probeDurationSeconds(file)) - duration) < 0.1, 'lasts what was asked');
      const video = (await probeStreams(file)).find((s) => s.codec_type === 'video');
      assert.equal(video?.codec_name, 'h264');
      assert.equal(video?.width, 320);
      assert.ok(Number(video?.nb_frames) >= duration * FPS, `${video?.nb_frames} frames for ${duration} s`);
      assert.equal(await decodeErrors(file), '');
    }));

  test('a publisher connected but silent leaves the stream waiting until its media arrives', () =>
    withOutput(async () => {
      const relay = await startHoldingRelay(rtmpPort);
      try {
        const done = publish(clip, `rtmp://127.0.0.1:${relay.port}/live/quiet?key=${KEY}`);
        const connected = await eventually('quiet has a publisher', async () => {
          const v = await listed('quiet');
          return v?.state.publisher?.state === 'publishing' ? v : undefined;
        });
        assert.equal(connected.state.status, 'waiting', 'no media yet: nothing to record, nothing failing');
        // Long enough for a recorder that had opened the silent publish to leave waiting.
        await sleep(3000);
        const still = await listed('quiet');
        assert.deepEqual([still?.state.status, still?.state.last_error], ['waiting', undefined]);
        assert.deepEqual(await recordedRanges(vigil, 'quiet'), []);

        relay.release();
        assert.equal(await done, 0);
        const [range] = await eventually('quiet recorded', async () => {
          const r = await recordedRanges(vigil, 'quiet');
          return r.length === 1 && (await listed('quiet'))?.state.status === 'waiting' ? r : undefined;
        });
        // What ffmpeg sent while held arrives in one burst, ahead of the recorder: the rest is recorded.
        assert.ok(range!.duration >= 1, `range ${JSON.stringify(range)}`);
        assert.equal((await listed('quiet'))?.state.last_error, undefined);
      } finally {
        relay.stop();
      }
    }));

  const changes: Array<[string, string, () => Promise<{ status: number }>]> = [
    ['deleting the stream', 'gone', () => vigil.api('DELETE', '/streamer/api/v3/streams/gone')],
    ['disabling the stream', 'paused', () => vigil.api('PUT', '/streamer/api/v3/streams/paused', { enabled: false })],
    [
      'changing its publish key',
      'rekeyed',
      () => vigil.api('PUT', '/streamer/api/v3/streams/rekeyed', { publish_key: 'e2e-publish-key-0002' }),
    ],
  ];
  for (const [change, name, apply] of changes) {
    test(`${change} disconnects its live publisher`, () =>
      withOutput(async () => {
        const { child, exited } = publishForever(clip, `rtmp://127.0.0.1:${rtmpPort}/live/${name}?key=${KEY}`);
        try {
          await eventually(`${name} publishing`, async () =>
            (await listed(name))?.state.publisher?.state === 'publishing' ? true : undefined,
          );
          assert.equal((await apply()).status, 200);
          assert.notEqual(await exited, 0, 'ffmpeg stops: Vigil closed its connection');
          assert.match(vigil.output(), new RegExp(`"stream":"${name}".*RTMP publisher disconnected`));
          const after = await listed(name);
          assert.equal(after?.state.publisher?.state === 'publishing', false, JSON.stringify(after?.state));
        } finally {
          child.kill('SIGKILL');
        }
      }));
  }
});
