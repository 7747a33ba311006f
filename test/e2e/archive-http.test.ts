/**
 * End to end over HTTP, as a viewer uses it: a clip imported with the real
 * CLI at a known time, then the real server's archive downloads (MP4, TS,
 * byte ranges, HEAD), HLS playlists and thumbnails, judged by Debian's
 * ffprobe/ffmpeg against the source clip.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findFreePort } from '../helpers/free-port.js';
import { decodeErrors, frameMd5, makeTestClip, probeDurationSeconds, probeStreams } from '../helpers/media-check.js';
import { runVigilImport, writeImportConfig } from '../helpers/vigil-cli.js';
import { startVigilProcess, TEST_TOKEN, type VigilProcess } from '../helpers/vigil-process.js';

const run = promisify(execFile);
const CLIP_SECONDS = 20;
const FRAME_S = 0.04;

let work: string;
let clip: string;
let vigil: VigilProcess;
/** Unix seconds the clip was imported at. */
let t0: number;

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

async function get(path: string, headers: Record<string, string> = auth, method = 'GET') {
  const res = await fetch(`${vigil.baseUrl}${path}`, { method, headers, redirect: 'manual' });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function save(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-e2e-http-'));
  clip = join(work, 'clip.mp4');
  await makeTestClip(clip, { seconds: CLIP_SECONDS });
  t0 = Math.floor(Date.now() / 1000) - 7200;
  const dataDir = join(work, 'data');
  const config = writeImportConfig(join(work, 'import.yaml'), dataDir, 4);
  await runVigilImport(config, 'cam', new Date(t0 * 1000).toISOString(), clip);
  vigil = await startVigilProcess({ dataDir, port: await findFreePort() });
});

after(async () => {
  await vigil?.kill();
  await rm(work, { recursive: true, force: true });
});

describe('archive downloads', () => {
  test('an MP4 from mid-GOP starts on the exact frame, lasts what was asked, and says what it is', async () => {
    const from = t0 + 5.52;
    const { res, body } = await get(`/cam/archive-${from}-8.mp4`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(Number(res.headers.get('content-length')), body.length);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename=cam_${from}_8.mp4`);
    assert.match(res.headers.get('etag') ?? '', /^".+"$/);
    const path = await save('exact.mp4', body);
    const duration = await probeDurationSeconds(path);
    assert.ok(Math.abs(duration - 8) <= FRAME_S, `duration ${duration}`);
    assert.equal(await frameMd5(path, { atSeconds: 0 }), await frameMd5(clip, { index: Math.round(5.52 / FRAME_S) }));
    assert.equal(await decodeErrors(path), '');

    const head = await get(`/cam/archive-${from}-8.mp4`, auth, 'HEAD');
    assert.equal(head.res.status, 200);
    assert.equal(head.res.headers.get('content-length'), String(body.length));
    assert.equal(head.body.length, 0);
    assert.equal((await get(`/cam/archive-${from}-8.mp4`)).res.headers.get('etag'), res.headers.get('etag'));
  });

  test('every byte range equals the same slice of the whole body; a range past the end is 416', async () => {
    const url = `/cam/archive-${t0 + 3}-10.mp4`;
    const whole = (await get(url)).body;
    for (const [start, end] of [
      [0, 0],
      [0, 99],
      [1000, 250_000],
      [whole.length - 1, whole.length - 1],
    ] as const) {
      const { res, body } = await get(url, { ...auth, range: `bytes=${start}-${end}` });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${whole.length}`);
      assert.deepEqual(body, whole.subarray(start, end + 1), `bytes ${start}-${end}`);
    }
    const suffix = await get(url, { ...auth, range: 'bytes=-500' });
    assert.deepEqual(suffix.body, whole.subarray(whole.length - 500));
    const outside = await get(url, { ...auth, range: `bytes=${whole.length}-` });
    assert.equal(outside.res.status, 416);
    assert.equal(outside.res.headers.get('content-range'), `bytes */${whole.length}`);
  });

  test('an MPEG-TS starts on the keyframe at or before from and decodes cleanly', async () => {
    const { res, body } = await get(`/cam/archive-${t0 + 6.2}-5.ts`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp2t');
    const path = await save('range.ts', body);
    const codecs = new Set((await probeStreams(path)).map((s) => s.codec_name));
    assert.deepEqual([...codecs].sort(), ['aac', 'h264']);
    assert.equal(await decodeErrors(path), '');
    assert.equal(await frameMd5(path, { index: 0 }), await frameMd5(clip, { index: 6 * 25 }));
  });

  test('bad from and duration are 400s naming the field; unrecorded or unknown is 404; no credentials is 401', async () => {
    const expectError = async (path: string, status: number, code: string, field?: string) => {
      const { res, body } = await get(path);
      assert.equal(res.status, status, `${path}: ${body.toString()}`);
      const error = (JSON.parse(body.toString()) as { error: { code: string; field?: string } }).error;
      assert.equal(error.code, code, path);
      if (field !== undefined) assert.equal(error.field, field, path);
    };
    await expectError(`/cam/archive--5-10.mp4`, 400, 'INVALID_ARGUMENT', 'from');
    await expectError(`/cam/archive-soon-10.mp4`, 400, 'INVALID_ARGUMENT', 'from');
    await expectError(`/cam/archive-${t0}-0.mp4`, 400, 'INVALID_ARGUMENT', 'duration');
    await expectError(`/cam/archive-${t0}-99999999.mp4`, 400, 'INVALID_ARGUMENT', 'duration');
    await expectError(`/cam/archive-${t0 + 100_000}-10.mp4`, 404, 'RANGE_NOT_RECORDED');
    await expectError(`/cam/archive-${t0 - 3600}-10.mp4`, 404, 'RANGE_NOT_RECORDED');
    await expectError(`/nobody/archive-${t0}-10.mp4`, 404, 'STREAM_NOT_FOUND');
    await expectError(`/cam/archive-${t0}-10.mp4?gaps=maybe`, 400, 'INVALID_ARGUMENT', 'gaps');
    const anonymous = await get(`/cam/archive-${t0}-10.mp4`, {});
    assert.equal(anonymous.res.status, 401);
  });
});

describe('archive HLS and thumbnails', () => {
  test('an archive playlist lists byte ranges that ffmpeg plays for the whole range', async () => {
    const { res, body } = await get(`/cam/index-${t0 + 2}-12.m3u8`);
    assert.equal(res.status, 200);
    const text = body.toString();
    assert.match(text, /#EXT-X-MAP:URI="s\/\d+\.m4s",BYTERANGE="\d+@0"/);
    assert.match(text, /#EXT-X-BYTERANGE:\d+@\d+/);
    assert.match(text, /#EXT-X-PROGRAM-DATE-TIME:/);
    assert.match(text, /#EXT-X-ENDLIST/);
    const { stdout } = await run(
      'ffprobe',
      [
        '-v',
        'error',
        '-show_entries',
        'format=duration',
        '-of',
        'csv=p=0',
        `${vigil.baseUrl}/cam/index-${t0 + 2}-12.m3u8?token=${TEST_TOKEN}`,
      ],
      { timeout: 60_000 },
    );
    // Whole fragments (2 s, keyframe-aligned) cover the range.
    assert.ok(Number(stdout) >= 12 && Number(stdout) <= 16, `HLS duration ${stdout}`);
    assert.match((await get(`/cam/index-${t0 + 2}-now.m3u8`)).body.toString(), /#EXT-X-PLAYLIST-TYPE:EVENT/);
  });

  test('{from}.jpg redirects to the nearest keyframe, which is a JPEG; previews decode on demand', async () => {
    const redirect = await get(`/cam/${t0 + 4.3}.jpg`);
    assert.equal(redirect.res.status, 302);
    assert.equal(redirect.res.headers.get('location'), `${t0 + 4}.jpg`);
    const jpeg = await get(`/cam/${t0 + 4}.jpg`);
    assert.equal(jpeg.res.status, 200);
    assert.equal(jpeg.res.headers.get('content-type'), 'image/jpeg');
    const [picture] = await probeStreams(await save('thumb.jpg', jpeg.body));
    assert.equal(picture?.codec_name, 'mjpeg');
    assert.equal(picture?.width, 320);

    const preview = await get(`/cam/${t0 + 7.7}-preview.jpg?width=160`);
    assert.equal(preview.res.status, 200);
    assert.equal(preview.res.headers.get('x-thumbnail-utc'), String(t0 + 8));
    assert.equal((await probeStreams(await save('preview.jpg', preview.body)))[0]?.width, 160);

    const oneFrame = await get(`/cam/${t0 + 7.7}-preview.mp4`);
    assert.equal(oneFrame.res.status, 200);
    const [video] = await probeStreams(await save('preview.mp4', oneFrame.body));
    assert.equal(video?.nb_frames, '1');
    assert.equal((await get(`/cam/${t0 - 100}-preview.jpg`)).res.status, 404);
    assert.equal((await get(`/cam/${t0}-preview.jpg?width=7`)).res.status, 400);
  });
});
