/**
 * Export jobs over the REST API against a real archive: a stream copy is
 * queued (202 at once with its final path), runs, and its file is a real MP4
 * of the asked duration; its events arrive over SSE; bad requests name the
 * field; a canceled job leaves no file; the reference DVR API's export works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openExportTestApp } from '../helpers/export-config.js';
import { ExportJobs } from '../../src/export/jobs/export-jobs.js';
import { importFiles } from '../../src/record/import.js';
import { BEARER } from '../../src/serve/testing/app-harness.js';
import { decodeErrors, makeTestClip, probeCodecs, probeDurationSeconds, probeStreams } from '../helpers/media-check.js';

const START_US = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const FROM_S = START_US / 1e6 + 2;

async function withServer(body: (ctx: { base: string; exportRoot: string; jobs: ExportJobs }) => Promise<void>) {
  const t = await openExportTestApp({ title: 'Front door', timeZone: 'Europe/Paris' });
  try {
    const clip = join(t.dir, 'clip.mp4');
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
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await body({ base: `http://127.0.0.1:${port}`, exportRoot: t.exportRoot, jobs: t.jobs });
  } finally {
    await t.close();
  }
}

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...BEARER, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

async function waitForState(base: string, id: string, states: string[]): Promise<Record<string, unknown>> {
  for (let i = 0; i < 300; i++) {
    const { json } = await api(base, 'GET', `/api/v1/exports/${id}`);
    if (json !== undefined && states.includes(String(json.state))) return json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`export ${id} never reached ${states.join('/')}`);
}

test('a stream-copy export job: 202 with its path, progress over SSE, a real MP4 of the asked duration', async () => {
  await withServer(async ({ base, exportRoot }) => {
    const events: string[] = [];
    const sse = await fetch(`${base}/api/v1/events`, { headers: BEARER });
    assert.equal(sse.status, 200);
    assert.match(sse.headers.get('content-type') ?? '', /text\/event-stream/);
    const decoder = new TextDecoder();
    const sseReader = sse.body!.getReader();
    const reading = (async () => {
      // Three state changes: in_queue, exporting, success.
      while (events.filter((e) => e === 'event: export.state').length < 3) {
        const { done, value } = await sseReader.read();
        if (done) break;
        events.push(
          ...decoder
            .decode(value)
            .split('\n')
            .filter((l) => l.startsWith('event: ')),
        );
      }
      await sseReader.cancel();
    })();

    const created = await api(base, 'POST', '/api/v1/exports', { stream: 'cam', start: FROM_S, duration: 6 });
    assert.equal(created.status, 202);
    const job = created.json!;
    assert.equal(job.state, 'in_queue');
    assert.equal(job.kind, 'copy');
    // The file name is rendered in the configured zone (Paris is UTC+1 in January).
    assert.equal(job.file_name, 'Front door (2026-01-31 13.00.02 - 2026-01-31 13.00.08).mp4');
    assert.equal(job.file_path, join(exportRoot, String(job.file_name)));

    const done = await waitForState(base, String(job.id), ['success', 'error']);
    assert.equal(done.state, 'success', JSON.stringify(done.error));
    assert.equal(done.percent, 100);
    const path = String(done.file_path);
    assert.ok(Math.abs((await probeDurationSeconds(path)) - 6) <= 0.05, 'duration within a frame or so');
    assert.deepEqual(await probeCodecs(path), ['h264', 'aac']);
    assert.equal(await decodeErrors(path), '');
    assert.deepEqual(await readdir(exportRoot), [String(job.file_name)], 'no .part file left');

    const file = await fetch(`${base}/api/v1/exports/${String(job.id)}/file`, {
      headers: { ...BEARER, range: 'bytes=0-7' },
    });
    assert.equal(file.status, 206);
    assert.equal(
      Buffer.from(await file.arrayBuffer())
        .subarray(4, 8)
        .toString(),
      'ftyp',
    );

    // The job is over, so its three state events were sent; do not wait for ever if they were not.
    const timer = setTimeout(() => void sseReader.cancel(), 5_000);
    await reading;
    clearTimeout(timer);
    assert.equal(events.filter((e) => e === 'event: export.state').length, 3);
    assert.ok(events.includes('event: export.progress'));
  });
});

test('bad export requests name the field; the same name is never given twice; cancel leaves no file', async () => {
  await withServer(async ({ base, exportRoot }) => {
    const bad = [
      [{ stream: 'cam', start: 'yesterday', duration: 6 }, 'start'],
      [{ stream: 'cam', start: FROM_S, duration: -1 }, 'duration'],
      [
        { stream: 'cam', start: FROM_S, duration: 6, options: { video_codec: 'h264', video_resolution: '1x1' } },
        'options.video_resolution',
      ],
      [{ stream: 'cam', start: FROM_S, duration: 6, file_path: '../../etc' }, 'file_path'],
      [{ stream: 'cam', start: FROM_S, duration: 6, options: { source: 'camera' } }, 'options.source'],
      [{ stream: 'nope', start: FROM_S, duration: 6 }, 'stream'],
    ] as const;
    for (const [body, field] of bad) {
      const res = await api(base, 'POST', '/api/v1/exports', body);
      assert.ok(res.status >= 400 && res.status < 502, `${JSON.stringify(body)} → ${res.status}`);
      const error = res.json?.error as { field?: string } | undefined;
      assert.equal(error?.field, field, JSON.stringify(res.json));
    }

    await writeFile(join(exportRoot, 'taken.mp4'), 'keep');
    const a = await api(base, 'POST', '/api/v1/exports', {
      stream: 'cam',
      start: FROM_S,
      duration: 2,
      file_name: 'taken.mp4',
    });
    const b = await api(base, 'POST', '/api/v1/exports', {
      stream: 'cam',
      start: FROM_S,
      duration: 2,
      file_name: 'taken.mp4',
    });
    assert.equal(a.json?.file_name, 'taken (1).mp4');
    assert.equal(b.json?.file_name, 'taken (2).mp4');

    const c = await api(base, 'POST', '/api/v1/exports', {
      stream: 'cam',
      start: FROM_S,
      duration: 8,
      task_id: 'to-cancel',
      // A transcode: its child process cannot be done in the moment before the DELETE.
      options: { video_codec: 'h264' },
    });
    const canceled = await api(base, 'DELETE', '/api/v1/exports/to-cancel');
    assert.equal(canceled.status, 200);
    const final = await waitForState(base, 'to-cancel', ['canceled', 'success', 'error']);
    assert.equal(final.state, 'canceled');
    const left = await readdir(exportRoot);
    assert.ok(!left.some((f) => f.includes(String(c.json?.file_name))), `left behind: ${left.join(', ')}`);
    assert.equal((await api(base, 'GET', '/api/v1/exports/missing')).status, 404);

    const transcode = await api(base, 'POST', '/api/v1/exports', {
      stream: 'cam',
      start: FROM_S,
      duration: 4,
      options: {
        video_codec: 'H264',
        video_resolution: '320x240',
        need_timestamp_watermark: true,
        audio_codec: 'no audio',
      },
    });
    assert.equal(transcode.json?.kind, 'transcode');
    const transcoded = await waitForState(base, String(transcode.json?.id), ['success', 'error']);
    assert.equal(transcoded.state, 'success', JSON.stringify(transcoded.error));
    assert.deepEqual(await probeCodecs(String(transcoded.file_path)), ['h264']);
    const [videoStream] = await probeStreams(String(transcoded.file_path));
    assert.equal(`${videoStream?.width}x${videoStream?.height}`, '320x240');
    assert.ok(Math.abs((await probeDurationSeconds(String(transcoded.file_path))) - 4) <= 0.1);

    // Custom encoder arguments reach the encoder: the same range at CRF 45 is far smaller than at CRF 15.
    const sizes: number[] = [];
    for (const crf of ['15', '45']) {
      const job = await api(base, 'POST', '/api/v1/exports', {
        stream: 'cam',
        start: FROM_S,
        duration: 4,
        options: { video_codec: 'h264', audio_codec: 'no audio', custom_args: ['-crf', crf, '-preset', 'ultrafast'] },
      });
      assert.equal(job.status, 202, JSON.stringify(job.json));
      const done = await waitForState(base, String(job.json?.id), ['success', 'error']);
      assert.equal(done.state, 'success', JSON.stringify(done.error));
      sizes.push(Number(done.bytes));
    }
    assert.ok(sizes[1]! < sizes[0]! / 2, `CRF 45 gave ${sizes[1]} bytes, CRF 15 ${sizes[0]}`);

    const dvr = await api(base, 'POST', `/streamer/api/v3/streams/cam/dvr/export?from=${FROM_S}&duration=4&path=dvr`);
    assert.equal(dvr.status, 202);
    const fromDvr = await waitForState(base, String(dvr.json?.id), ['success', 'error']);
    assert.equal(fromDvr.state, 'success');
    assert.ok(String(fromDvr.file_path).startsWith(join(exportRoot, 'dvr')));
  });
});
