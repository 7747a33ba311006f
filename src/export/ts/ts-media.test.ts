/**
 * A TS export of a real clip, judged by Debian's ffprobe/ffmpeg: codecs,
 * duration, a clean decode, and the first frame equal to the source's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive, LocalSegmentReader } from '../../archive/index.js';
import { createMediaEngine } from '../../media/index.js';
import { importFiles } from '../../record/import.js';
import {
  decodeErrors,
  frameMd5,
  makeTestClip,
  probeCodecs,
  probeDurationSeconds,
} from '../../../test/helpers/media-check.js';
import { selectSamples } from '../select-samples.js';
import { createTsFile } from './ts-file.js';
import { collect } from './ts-test-support.js';

const FRAME_US = 40_000;

const cases = [
  { name: 'H.264', videoCodec: 'libx264', codecs: ['h264', 'aac'] },
  // x265 reorders frames (B-frames): PTS and DTS differ from the first frame on.
  { name: 'H.265 with B-frames', videoCodec: 'libx265', codecs: ['hevc', 'aac'] },
] as const;

for (const c of cases) {
  test(`${c.name}: a range from mid-GOP across a segment boundary plays from its keyframe in ffmpeg`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-ts-'));
    const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
    try {
      const clip = join(dir, 'in.mp4');
      await makeTestClip(clip, { seconds: 12, videoCodec: c.videoCodec });
      const startUs = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
      await importFiles({
        archive,
        engine: createMediaEngine(),
        stream: 'cam',
        startUs,
        files: [clip],
        segmentDurationUs: 4_000_000,
      });
      // Frame 88 (3.52 s) is 13 frames past the keyframe at 3 s; the range ends in the second segment.
      const fromUs = startUs + 88 * FRAME_US;
      const toUs = startUs + 6_500_000;
      const segments = await archive.segmentsInRange('cam', 'main', fromUs, toUs);
      assert.ok(segments.length >= 2, 'the range crosses a segment boundary');
      const fragments = await archive.fragmentsOf(segments.map((s) => s.id));
      const selection = selectSamples(
        { segments, fragments },
        { stream: 'cam', variant: 'main', fromUs, toUs, gaps: 'collapse' },
      );
      const ts = createTsFile(selection, new LocalSegmentReader());
      const whole = await collect(ts.read(0, ts.sizeBytes, new AbortController().signal));
      assert.equal(whole.length, ts.sizeBytes);
      const out = join(dir, 'out.ts');
      await writeFile(out, whole);

      assert.deepEqual(await probeCodecs(out), c.codecs);
      const expectedSeconds = (toUs - startUs - 75 * FRAME_US) / 1e6; // the range plus the pre-roll from frame 75
      const duration = await probeDurationSeconds(out);
      assert.ok(Math.abs(duration - expectedSeconds) <= 0.08, `duration ${duration} s, expected ${expectedSeconds} s`);
      assert.equal(await decodeErrors(out), '');
      assert.equal(
        await frameMd5(out, { index: 0 }),
        await frameMd5(clip, { index: 75 }),
        'first frame is the keyframe at or before from',
      );

      const n = ts.sizeBytes;
      for (const [a, b] of [
        [0, 100],
        [187, 5_000],
        [33_333, 77_777],
        [Math.floor(n / 2) - 1, Math.floor(n / 2) + 3],
        [n - 1_000, n],
      ] as const) {
        const part = await collect(ts.read(a, b, new AbortController().signal));
        assert.deepEqual(part, whole.subarray(a, b), `bytes [${a}, ${b})`);
      }
      const payload = selection.tracks.reduce((sum, t) => sum + t.sizeBytes.reduce((x, y) => x + y, 0), 0);
      assert.ok(ts.served.fromDisk >= payload, 'payload counted as read from disk');
    } finally {
      await archive.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
