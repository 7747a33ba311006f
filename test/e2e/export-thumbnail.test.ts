/**
 * Export jobs that copy the video into another container, and each job's
 * thumbnail: a copy into MKV keeps every recorded video packet byte for byte
 * while the audio is converted; `thumbnail.jpg` is the archive's keyframe
 * while a job runs, the output's first frame once it is done, and a JSON 404
 * when the file is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import type { TranscodeJob } from '../../src/export/jobs/run-export-job.js';
import { transcodeExportJob } from '../../src/export/jobs/transcode-job.js';
import { importFiles } from '../../src/record/import.js';
import { BEARER } from '../../src/serve/testing/app-harness.js';
import { openExportTestApp } from '../helpers/export-config.js';
import {
  decodeErrors,
  makeTestClip,
  probeCodecs,
  probeDurationSeconds,
  probeStreams,
  videoPacketHashes,
} from '../helpers/media-check.js';

const START_US = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const FROM_S = START_US / 1e6 + 2;

test('a copy into MKV keeps the video packets; thumbnail.jpg follows the job from archive keyframe to file', async () => {
  // A job whose id starts with "held" waits here until released: it stays `exporting` while the test looks.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const transcode: TranscodeJob = async (spec, planned, stream, context) => {
    if (spec.taskId.startsWith('held')) await held;
    return transcodeExportJob(spec, planned, stream, context);
  };
  const t = await openExportTestApp({ title: 'Front door', transcode });
  const { app, dir } = t;
  const inject = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const options: InjectOptions = { method, url, headers: BEARER };
    if (payload !== undefined) options.payload = payload;
    const res = await app.inject(options);
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.rawPayload };
  };
  const json = (body: Buffer) => JSON.parse(body.toString()) as Record<string, unknown>;
  const waitFor = async (id: string, states: string[]) => {
    for (let i = 0; i < 300; i++) {
      const job = json((await inject('GET', `/api/v1/exports/${id}`)).body);
      if (states.includes(String(job.state))) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`export ${id} never reached ${states.join('/')}`);
  };
  const jpegSize = async (body: Buffer) => {
    const path = join(dir, 'probe.jpg');
    await writeFile(path, body);
    const [s] = await probeStreams(path);
    return `${s?.codec_name} ${s?.width}x${s?.height}`;
  };

  try {
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 12 });
    await importFiles({
      archive: t.archive,
      engine: t.engine,
      stream: 'cam',
      startUs: START_US,
      files: [clip],
      segmentDurationUs: 4_000_000,
    });
    await t.jobs.start();

    const range = { stream: 'cam', start: FROM_S, duration: 6 };
    const mp4 = await inject('POST', '/api/v1/exports', range);
    const mkv = await inject('POST', '/api/v1/exports', {
      ...range,
      container: 'mkv',
      task_id: 'held-mkv',
      options: { audio_codec: 'pcm' },
    });
    assert.equal(mkv.status, 202);

    // Running: the archive's keyframe nearest the job's start.
    const running = await waitFor('held-mkv', ['exporting']);
    assert.equal(running.transcode, false, 'no video option: the video is copied');
    const early = await inject('GET', '/api/v1/exports/held-mkv/thumbnail.jpg?width=160');
    assert.equal(early.status, 200);
    assert.equal(early.type, 'image/jpeg');
    assert.equal(await jpegSize(early.body), 'mjpeg 160x120');
    assert.equal((await inject('GET', '/api/v1/exports/held-mkv/thumbnail.jpg?width=15')).status, 400);
    release();

    const copied = await waitFor(String(json(mp4.body).id), ['success', 'error']);
    const done = await waitFor('held-mkv', ['success', 'error']);
    assert.equal(done.state, 'success', JSON.stringify(done.error));
    const mkvPath = String(done.file_path);
    assert.match(mkvPath, /\.mkv$/);
    assert.deepEqual(await probeCodecs(mkvPath), ['h264', 'pcm_s16le']);
    assert.ok(Math.abs((await probeDurationSeconds(mkvPath)) - 6) <= 0.05);
    assert.equal(await decodeErrors(mkvPath), '');
    const packets = await videoPacketHashes(mkvPath);
    assert.equal(packets.length, 150);
    assert.deepEqual(packets, await videoPacketHashes(String(copied.file_path)), 'the same packets as the MP4 copy');

    // Done: the file's first frame, full size by default, and the same bytes when asked again.
    const first = await inject('GET', '/api/v1/exports/held-mkv/thumbnail.jpg');
    assert.equal(first.status, 200);
    assert.equal(await jpegSize(first.body), 'mjpeg 320x240');
    assert.deepEqual((await inject('GET', '/api/v1/exports/held-mkv/thumbnail.jpg')).body, first.body);

    await rm(mkvPath);
    const gone = await inject('GET', '/api/v1/exports/held-mkv/thumbnail.jpg');
    assert.equal(gone.status, 404);
    assert.match(gone.type, /application\/json/);
    assert.equal((json(gone.body).error as { code?: string }).code, 'NOT_FOUND');
    assert.equal((await inject('GET', '/api/v1/exports/missing/thumbnail.jpg')).status, 404);
  } finally {
    release();
    await t.close();
  }
});
