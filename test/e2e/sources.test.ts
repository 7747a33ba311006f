/**
 * Every kind of source Vigil records, recorded for real through the server
 * and the admin API: RTMP (node-media-server fed by Debian's ffmpeg), MPEG-TS
 * over HTTP, SRT, RTSP over UDP, H.265 over RTSP, and G.711 kept or dropped.
 * Each case records a few seconds, one after another; every segment must
 * pass Debian's ffprobe with the expected codecs and decode without an error.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findFreePort, portOf } from '../helpers/free-port.js';
import { startRtmpServer } from '../helpers/rtmp-server.js';
import { decodeErrors, makeTestClip, probeCodecs } from '../helpers/media-check.js';
import { startRtspCamera, type RtspCamera } from '../helpers/rtsp-camera.js';
import { segmentFiles, startVigilProcess, waitForRecorded, type VigilProcess } from '../helpers/vigil-process.js';

/** Seconds each case records: two segments of 2 s at least. */
const RECORD_S = 4;

describe('recording every kind of source', { timeout: 240_000 }, () => {
  let dir: string;
  let clip: string;
  let vigil: VigilProcess;
  let camera: RtspCamera;
  const cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sources-'));
    clip = join(dir, 'clip.mp4');
    // H.264 + AAC, a keyframe every second, as a publisher sends it.
    await makeTestClip(clip, { seconds: 4, size: '320x240', audioRate: 44_100 });
    camera = await startRtspCamera({ size: '320x240' });
    mkdirSync(join(dir, 'vigil'));
    vigil = await startVigilProcess({
      dataDir: join(dir, 'vigil'),
      port: await findFreePort(),
      extraConfig: 'dvr:\n  segment_duration: 2\n',
    });
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await vigil?.kill('SIGTERM');
    await camera?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Creates `stream` from `body`, waits for RECORD_S seconds of archive, stops
   * it, and checks every segment it wrote with ffprobe and ffmpeg.
   */
  async function recordAndCheck(
    stream: string,
    body: Record<string, unknown>,
    codecs: string[],
    whileRecording?: () => Promise<void>,
  ): Promise<void> {
    try {
      const put = await vigil.api('PUT', `/streamer/api/v3/streams/${stream}`, body);
      assert.equal(put.status, 200, JSON.stringify(put.body));
      await whileRecording?.();
      const first = await waitForRecorded(vigil, stream, 1);
      const ranges = await waitForRecorded(vigil, stream, RECORD_S);
      assert.ok(ranges.at(-1)!.duration > first.at(-1)!.duration, 'the range grows while recording');
      const del = await vigil.api('DELETE', `/streamer/api/v3/streams/${stream}`);
      assert.equal(del.status, 200, JSON.stringify(del.body));
      const files = segmentFiles(join(dir, 'vigil', 'archive', stream));
      assert.ok(files.length >= 2, `segments of 2 s: expected at least 2, got ${files.length}`);
      for (const file of files) {
        assert.deepEqual((await probeCodecs(file)).sort(), [...codecs].sort(), `${file}: codecs`);
        assert.equal(await decodeErrors(file), '', `${file} decodes without an error`);
      }
    } catch (err) {
      if (err instanceof Error) err.message += `\n--- vigil output (tail) ---\n${vigil.output().slice(-3000)}`;
      throw err;
    }
  }

  test('rtmp:// from node-media-server, published by ffmpeg', async () => {
    const rtmpPort = await findFreePort();
    const server = startRtmpServer(rtmpPort, join(dir, 'nms'));
    cleanups.push(() => server.stop());
    const url = `rtmp://127.0.0.1:${rtmpPort}/live/cam`;
    const publisher = startFfmpeg(['-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', url]);
    cleanups.push(() => stopProcess(publisher));
    await recordAndCheck('rtmp', { url }, ['h264', 'aac']);
  });

  test('http:// MPEG-TS streamed at real time', async () => {
    const server = await startTsHttpServer(clip);
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    );
    const port = portOf(server);
    await recordAndCheck('http', { url: `http://127.0.0.1:${port}/live.ts` }, ['h264', 'aac']);
  });

  test('srt:// from an ffmpeg listener, Vigil calling', async () => {
    const port = await findFreePort();
    const listener = startFfmpeg([
      ...['-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'mpegts'],
      `srt://127.0.0.1:${port}?mode=listener`,
    ]);
    cleanups.push(() => stopProcess(listener));
    await recordAndCheck('srt', { url: `srt://127.0.0.1:${port}?mode=caller` }, ['h264', 'aac']);
  });

  test('RTSP over UDP, G.711 transcoded to AAC by default', async () => {
    await recordAndCheck('udp', { url: camera.url, rtsp_transport: 'udp' }, ['h264', 'aac'], async () => {
      const res = await vigil.api('GET', '/streamer/api/v3/streams/udp');
      assert.equal((res.body as { rtsp_transport?: string }).rtsp_transport, 'udp');
    });
  });

  test('G.711 kept as µ-law', async () => {
    await recordAndCheck('keep', { url: camera.url, audio: 'keep' }, ['h264', 'pcm_mulaw']);
  });

  test('G.711 dropped: video only', async () => {
    await recordAndCheck('drop', { url: camera.url, audio: 'drop' }, ['h264']);
  });

  test('H.265 from an RTSP camera', async () => {
    const hevc = join(dir, 'hevc.mp4');
    // The camera's file mode plays once: long enough for the whole case.
    await makeTestClip(hevc, { seconds: 30, size: '320x240', videoCodec: 'libx265', audioRate: null });
    const hevcCamera = await startRtspCamera({ file: hevc, codec: 'h265' });
    cleanups.push(() => hevcCamera.stop());
    await recordAndCheck('hevc', { url: hevcCamera.url }, ['hevc']);
  });
});

function startFfmpeg(args: string[], stdout: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn('ffmpeg', ['-nostdin', '-v', 'error', ...args], { stdio: ['ignore', stdout, 'ignore'] });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  await exited;
}

/** An HTTP server that streams `clip` as MPEG-TS at real time, looped, through one ffmpeg per client. */
async function startTsHttpServer(clip: string): Promise<Server> {
  const server = createServer((req, res) => {
    const ffmpeg = startFfmpeg(
      ['-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'mpegts', 'pipe:1'],
      'pipe',
    );
    res.writeHead(200, { 'content-type': 'video/mp2t' });
    ffmpeg.stdout?.pipe(res);
    res.on('close', () => ffmpeg.kill('SIGTERM'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return server;
}
