/**
 * Stream events in real exports: a clip recorded with a gap, two events posted
 * over the API. The downloaded MP4 and a stream-copy job's file carry them as
 * chapters in output time (gap collapsed), read by Debian's ffprobe, and so
 * does a transcode job's; one with `watermark_need_figures` draws the event's
 * box, seen by comparing the picture with and without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ExportJobs, type ExportJobRecord } from '../../src/export/jobs/export-jobs.js';
import type { ExportJobWireRequest } from '../../src/export/request/index.js';
import { importFiles } from '../../src/record/import.js';
import { type VigilApp } from '../../src/serve/app.js';
import { BEARER } from '../../src/serve/testing/app-harness.js';
import { openExportTestApp } from '../helpers/export-config.js';
import { makeTestClip, probeStreams } from '../helpers/media-check.js';

const run = promisify(execFile);
const START_S = Date.UTC(2026, 0, 31, 12, 0, 0) / 1000;
const W = 320;
const H = 240;

interface Ctx {
  app: VigilApp;
  jobs: ExportJobs;
  dir: string;
}

/** Recorded 0–6 s and 10–16 s after START_S (a 4 s gap), in a real archive behind the real app. */
async function withArchive(body: (ctx: Ctx) => Promise<void>): Promise<void> {
  const t = await openExportTestApp({ title: 'Gate' });
  const { app, jobs, dir, archive, engine } = t;
  try {
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 6, size: `${W}x${H}` });
    for (const atS of [0, 10]) {
      await importFiles({ archive, engine, stream: 'cam', startUs: (START_S + atS) * 1e6, files: [clip] });
    }
    await jobs.start();
    await app.ready();
    await body({ app, jobs, dir });
  } finally {
    await t.close();
  }
}

async function postEvent(app: VigilApp, payload: Record<string, unknown>): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/streams/cam/events', headers: BEARER, payload });
  assert.equal(res.statusCode, 201, res.body);
}

/** Chapters as Debian's ffprobe reads them: [start seconds, title]. */
async function probeChapters(path: string): Promise<Array<[number, string]>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', path]);
  const { chapters } = JSON.parse(stdout) as { chapters: Array<{ start_time: string; tags?: { title?: string } }> };
  return chapters.map((c) => [Number(c.start_time), c.tags?.title ?? '']);
}

/** Runs a job to its end through the library face's callback (no polling). */
function runJob(jobs: ExportJobs, request: ExportJobWireRequest): Promise<ExportJobRecord> {
  return new Promise((resolve, reject) => {
    jobs
      .submit(request, {
        isAdmin: true,
        callback: (event) => {
          if (['success', 'error', 'canceled'].includes(event.job.state)) resolve(event.job);
        },
      })
      .catch(reject);
  });
}

/** The luma of the first frame at or after `atSeconds`, decoded by Debian's ffmpeg. */
async function grayFrame(path: string, atSeconds: number): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vf', `select=gte(t\\,${atSeconds})`, '-frames:v', '1'].concat([
      '-pix_fmt',
      'gray',
      '-f',
      'rawvideo',
      '-',
    ]),
    { encoding: 'buffer', maxBuffer: 16 << 20 },
  );
  return stdout;
}

function regionDiff(a: Buffer, b: Buffer, x: number, y: number, w: number, h: number): number {
  let sum = 0;
  for (let row = y; row < y + h; row++) {
    for (let col = x; col < x + w; col++) sum += Math.abs((a[row * W + col] ?? 0) - (b[row * W + col] ?? 0));
  }
  return sum / (w * h);
}

test('events become chapters in output time and figures in a transcode', async () => {
  await withArchive(async ({ app, jobs, dir }) => {
    await postEvent(app, { start: START_S + 2, end: START_S + 4, label: 'person', severity: 'alert' });
    // Begins in the gap; its box shows from the second piece's start to the event's end.
    await postEvent(app, {
      start: new Date((START_S + 8) * 1000).toISOString(),
      duration: 6,
      label: 'intrusion',
      severity: 'critical',
      boxes: [{ x: 0.25, y: 0.25, w: 0.5, h: 0.5 }],
    });
    const expected: Array<[number, string]> = [
      [0, '2026-01-31 12:00:00'],
      [2, 'Alert: person'],
      [6, '2026-01-31 12:00:10'],
      [6, 'Critical: intrusion'],
    ];

    const download = await app.inject({ method: 'GET', url: `/cam/archive-${START_S}-16.mp4`, headers: BEARER });
    assert.equal(download.statusCode, 200);
    const downloaded = join(dir, 'download.mp4');
    await writeFile(downloaded, download.rawPayload);
    assert.deepEqual(await probeChapters(downloaded), expected, 'the download');

    const copy = await runJob(jobs, { stream: 'cam', start: START_S, duration: 16 });
    assert.equal(copy.state, 'success', JSON.stringify(copy.error));
    assert.deepEqual(await probeChapters(copy.spec.filePath), expected, 'a stream-copy job');

    // 4–16 s: 2 s of the first piece, then the second piece; the box is up from output 2 s to 8 s.
    const transcode = (figures: boolean) =>
      runJob(jobs, {
        stream: 'cam',
        start: START_S + 4,
        end: START_S + 16,
        options: { video_codec: 'h264', watermark_need_figures: figures },
      });
    const plain = await transcode(false);
    const boxed = await transcode(true);
    assert.equal(plain.state, 'success', JSON.stringify(plain.error));
    assert.equal(boxed.state, 'success', JSON.stringify(boxed.error));
    assert.deepEqual(
      await probeChapters(boxed.spec.filePath),
      [
        [0, '2026-01-31 12:00:04'],
        [2, '2026-01-31 12:00:10'],
        [2, 'Critical: intrusion'],
      ],
      'a transcode job',
    );
    const [video] = await probeStreams(boxed.spec.filePath);
    assert.deepEqual([video?.width, video?.height], [W, H]);

    const [a, b] = await Promise.all([grayFrame(plain.spec.filePath, 5), grayFrame(boxed.spec.filePath, 5)]);
    // The box's top edge: x 80–240, y 60, a line a few pixels thick.
    assert.ok(regionDiff(a, b, 90, 60, 140, 2) > 20, 'the box edge is drawn');
    assert.ok(regionDiff(a, b, 0, 0, W, 40) < 4, 'the picture above the box is the same');
    const [early, earlyBoxed] = await Promise.all([
      grayFrame(plain.spec.filePath, 1),
      grayFrame(boxed.spec.filePath, 1),
    ]);
    assert.ok(regionDiff(early, earlyBoxed, 90, 60, 140, 2) < 8, 'no box before the event shows');
  });
});
