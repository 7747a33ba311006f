import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Archive, readSlice } from '../archive/index.js';
import { isVigilError } from '../errors.js';
import { planThumbnail, type ThumbnailMethod, type ThumbnailPlan } from '../export/thumbnail-plan.js';
import { importFiles } from '../record/import.js';
import { makeTestClip } from '../../test/helpers/media-check.js';
import { createMediaEngine } from './engine.js';

const run = promisify(execFile);
const engine = createMediaEngine();
const START_US = Date.UTC(2026, 1, 3, 9, 0, 0) * 1000;
const FRAME_US = 40_000;
const AT_US = START_US + 2_600_000;

interface Fixture {
  dir: string;
  clip: string;
  plan(method: ThumbnailMethod, atUs?: number): Promise<ThumbnailPlan>;
  samples(plan: ThumbnailPlan): Promise<Uint8Array[]>;
  /** The source frame number shown at a wall-clock instant (frame 0 is shown when the archive's first frame is). */
  frameAt(us: number): number;
}

/** A 6 s 640x480 clip (a keyframe each second) imported into a temp archive as 2 s segments. */
async function withArchive(body: (f: Fixture) => Promise<void>, outputArgs: string[] = []): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-thumbnail-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 6, size: '640x480', outputArgs });
    await importFiles({
      archive,
      engine,
      stream: 'cam',
      startUs: START_US,
      files: [clip],
      segmentDurationUs: 2_000_000,
    });
    const segments = await archive.segmentsInRange('cam', 'main', START_US, START_US + 10_000_000);
    const input = { segments, fragments: await archive.fragmentsOf(segments.map((s) => s.id)) };
    const firstShownUs = planThumbnail(input, START_US, 'nearest').keyframeUs;
    await body({
      dir,
      clip,
      plan: async (method, atUs = AT_US) => planThumbnail(input, atUs, method),
      samples: (plan) =>
        Promise.all(plan.samples.map((s) => readSlice(s.file.root, s.file.path, s.offset, s.sizeBytes))),
      frameAt: (us) => Math.round((us - firstShownUs) / FRAME_US),
    });
  } finally {
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function probeJpeg(path: string): Promise<string> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height'],
    ...['-of', 'csv=p=0', path],
  ]);
  return stdout.trim();
}

/**
 * PSNR (dB, Y, U and V averaged) between a JPEG and frame `n` of the source as
 * Debian's ffmpeg decodes (and scales) it, both brought to limited-range 4:2:0.
 */
async function psnrAgainstSource(jpeg: string, clip: string, n: number, size: string): Promise<number> {
  const [w, h] = size.split('x');
  const graph =
    `[1:v]select='eq(n\\,${n})',setpts=PTS-STARTPTS,scale=${w}:${h}:flags=bicubic,format=yuv420p[ref];` +
    `[0:v]scale=out_range=tv,format=yuv420p[img];[img][ref]psnr`;
  const { stderr } = await run('ffmpeg', [
    '-hide_banner',
    '-i',
    jpeg,
    '-i',
    clip,
    '-filter_complex',
    graph,
    '-f',
    'null',
    '-',
  ]);
  const m = /PSNR .*average:(inf|[\d.]+)/.exec(stderr);
  assert.ok(m !== null, `no PSNR in ffmpeg's output:\n${stderr}`);
  return m[1] === 'inf' ? Infinity : Number(m[1]);
}

test('the nearest keyframe decodes to a 640x480 JPEG of the source frame at that instant', async () => {
  await withArchive(async ({ dir, clip, plan, samples, frameAt }) => {
    const p = await plan('nearest');
    assert.equal(p.keyframeUs, START_US + 3_000_000, 'the keyframe at +3 s is nearer to +2.6 s than the one at +2 s');
    assert.equal(p.samples.length, 1);
    const jpeg = await engine.decodeThumbnail({ track: p.track, samples: await samples(p), targetIndex: 0 });
    const path = join(dir, 'nearest.jpg');
    await writeFile(path, jpeg);
    assert.equal(await probeJpeg(path), 'mjpeg,640,480');
    const psnr = await psnrAgainstSource(path, clip, frameAt(p.keyframeUs), '640x480');
    assert.ok(psnr > 30, `PSNR ${psnr} dB against source frame ${frameAt(p.keyframeUs)}`);
  });
});

test('width=320 scales the picture to 320x240', async () => {
  await withArchive(async ({ dir, clip, plan, samples, frameAt }) => {
    const p = await plan('before');
    assert.equal(p.keyframeUs, START_US + 2_000_000);
    const jpeg = await engine.decodeThumbnail({
      track: p.track,
      samples: await samples(p),
      targetIndex: 0,
      width: 320,
    });
    const path = join(dir, 'small.jpg');
    await writeFile(path, jpeg);
    assert.equal(await probeJpeg(path), 'mjpeg,320,240');
    const psnr = await psnrAgainstSource(path, clip, frameAt(p.keyframeUs), '320x240');
    assert.ok(psnr > 30, `PSNR ${psnr} dB`);
  });
});

test('precise decodes up to the frame shown at +2.6 s, not the keyframe before it', async () => {
  await withArchive(async ({ dir, clip, plan, samples, frameAt }) => {
    const p = await plan('precise');
    assert.equal(p.keyframeUs, START_US + 2_000_000);
    assert.equal(p.shownUs, START_US + 2_600_000);
    assert.equal(p.samples.length, frameAt(p.shownUs) - frameAt(p.keyframeUs) + 1);
    const jpeg = await engine.decodeThumbnail({
      track: p.track,
      samples: await samples(p),
      targetIndex: p.targetIndex,
    });
    const path = join(dir, 'precise.jpg');
    await writeFile(path, jpeg);
    assert.equal(await probeJpeg(path), 'mjpeg,640,480');
    const exact = await psnrAgainstSource(path, clip, frameAt(p.shownUs), '640x480');
    const keyframe = await psnrAgainstSource(path, clip, frameAt(p.keyframeUs), '640x480');
    assert.ok(exact > 30, `PSNR ${exact} dB against the frame at +2.6 s`);
    assert.ok(exact > keyframe + 3, `PSNR ${exact} dB against +2.6 s vs ${keyframe} dB against the keyframe`);
  });
});

test("precise with B-frames picks the right frame out of the decoder's reordering", async () => {
  await withArchive(
    async ({ dir, clip, plan, samples, frameAt }) => {
      // The premise: a frame shown later than the target is decoded before it (a B-frame target);
      // with two B-frames per P-frame, one of three neighbouring frames is one.
      const candidates = await Promise.all([0, 1, 2].map((k) => plan('precise', AT_US + k * FRAME_US)));
      const p = candidates.find((c) => c.targetIndex < c.samples.length - 1);
      assert.ok(
        p,
        `no B-frame target among ${candidates.map((c) => `${c.targetIndex}/${c.samples.length}`).join(', ')}`,
      );
      const jpeg = await engine.decodeThumbnail({
        track: p.track,
        samples: await samples(p),
        targetIndex: p.targetIndex,
      });
      const path = join(dir, 'precise-b.jpg');
      await writeFile(path, jpeg);
      const n = frameAt(p.shownUs);
      const exact = await psnrAgainstSource(path, clip, n, '640x480');
      const neighbour = await psnrAgainstSource(path, clip, n - 1, '640x480');
      assert.ok(exact > 30, `PSNR ${exact} dB against source frame ${n}`);
      assert.ok(exact > neighbour + 3, `PSNR ${exact} dB against frame ${n} vs ${neighbour} dB against ${n - 1}`);
    },
    ['-bf', '2'],
  );
});

test('bad requests and an aborted signal fail with a VigilError naming the problem', async () => {
  await withArchive(async ({ plan, samples }) => {
    const p = await plan('nearest');
    const payloads = await samples(p);
    await assert.rejects(
      engine.decodeThumbnail({ track: p.track, samples: payloads, targetIndex: 0, width: 321 }),
      (err) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'width',
    );
    await assert.rejects(
      engine.decodeThumbnail({ track: p.track, samples: payloads, targetIndex: 1 }),
      (err) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'targetIndex',
    );
    await assert.rejects(
      engine.decodeThumbnail({ track: p.track, samples: payloads, targetIndex: 0 }, AbortSignal.abort()),
      (err) => isVigilError(err, 'CANCELED'),
    );
    await assert.rejects(
      engine.decodeThumbnail({ track: p.track, samples: [Uint8Array.of(0, 0, 0, 2, 0x65, 0x88)], targetIndex: 0 }),
      (err) => isVigilError(err, 'MEDIA_INVALID'),
    );
  });
});

/** The JPEG decoded by Debian's ffmpeg to 8-bit grey, one byte per pixel. */
async function greyPixels(jpeg: Uint8Array, dir: string, name: string): Promise<Buffer> {
  const path = join(dir, name);
  await writeFile(path, jpeg);
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  return stdout;
}

function meanAbsDifference(a: Buffer, b: Buffer): number {
  assert.equal(a.length, b.length, 'same number of pixels');
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

test('warm decoders and encoders give the pictures a cold decode gives, in a row and at once', async () => {
  await withArchive(async ({ dir, plan, samples }) => {
    const requests: Array<{ name: string; request: Parameters<typeof engine.decodeThumbnail>[0] }> = [];
    for (const method of ['nearest', 'before', 'precise'] as const) {
      const p = await plan(method);
      const base = { track: p.track, samples: await samples(p), targetIndex: p.targetIndex };
      requests.push({ name: method, request: base }, { name: `${method}-320`, request: { ...base, width: 320 } });
    }
    const cold = new Map<string, { size: string; grey: Buffer }>();
    for (const { name, request } of requests) {
      const once = createMediaEngine(); // a fresh engine: nothing opened before this call
      const jpeg = await once.decodeThumbnail(request);
      await once.close();
      const path = join(dir, `cold-${name}.jpg`);
      await writeFile(path, jpeg);
      cold.set(name, { size: await probeJpeg(path), grey: await greyPixels(jpeg, dir, `cold-${name}.grey`) });
    }

    const warm = createMediaEngine();
    const broken = { ...requests[0]!.request, samples: [Uint8Array.of(0, 0, 0, 2, 0x65, 0x88)] };
    const check = async (name: string, jpeg: Uint8Array, tag: string): Promise<void> => {
      const path = join(dir, `${tag}-${name}.jpg`);
      await writeFile(path, jpeg);
      const expected = cold.get(name)!;
      assert.equal(await probeJpeg(path), expected.size, `${tag} ${name}`);
      const diff = meanAbsDifference(await greyPixels(jpeg, dir, `${tag}-${name}.grey`), expected.grey);
      assert.ok(diff < 0.5, `${tag} ${name}: mean abs difference ${diff} from the cold decode`);
    };
    try {
      for (let round = 0; round < 3; round++) {
        for (const { name, request } of requests) await check(name, await warm.decodeThumbnail(request), `row${round}`);
        // A decode that fails in between must not leave a broken decoder for the next call.
        await assert.rejects(warm.decodeThumbnail(broken), (err) => isVigilError(err, 'MEDIA_INVALID'));
      }
      const atOnce = [...requests, ...requests, ...requests].map(({ name, request }, i) =>
        warm.decodeThumbnail(request).then((jpeg) => check(name, jpeg, `once${i}`)),
      );
      const failing = assert.rejects(warm.decodeThumbnail(broken), (err) => isVigilError(err, 'MEDIA_INVALID'));
      await Promise.all([...atOnce, failing]);
    } finally {
      await warm.close();
    }
    // Closed: still answers, keeping nothing open.
    await check('nearest', await warm.decodeThumbnail(requests[0]!.request), 'closed');
  });
});

test('full-range and H.265 recordings decode to their source pictures', async () => {
  const cases: Array<{ name: string; args: string[] }> = [
    { name: 'full-range', args: ['-pix_fmt', 'yuvj420p'] },
    { name: 'hevc', args: ['-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', 'log-level=error'] },
    {
      name: 'full-range-hevc',
      args: ['-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', 'log-level=error', '-pix_fmt', 'yuvj420p'],
    },
  ];
  for (const c of cases) {
    await withArchive(async ({ dir, clip, plan, samples, frameAt }) => {
      const p = await plan('nearest');
      const payloads = await samples(p);
      for (const width of [undefined, 320]) {
        const jpeg = await engine.decodeThumbnail({
          track: p.track,
          samples: payloads,
          targetIndex: 0,
          ...(width === undefined ? {} : { width }),
        });
        const path = join(dir, `${c.name}-${width ?? 'full'}.jpg`);
        await writeFile(path, jpeg);
        const size = width === undefined ? '640x480' : '320x240';
        assert.equal(await probeJpeg(path), `mjpeg,${size.replace('x', ',')}`);
        const psnr = await psnrAgainstSource(path, clip, frameAt(p.keyframeUs), size);
        assert.ok(psnr > 30, `${c.name} ${size}: PSNR ${psnr} dB against the source frame`);
      }
    }, c.args);
  }
});
