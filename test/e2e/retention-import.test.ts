/**
 * End to end, as a user runs Vigil: `vigil import` (the real CLI, a child
 * process) files a clip into the archive at a chosen time, then the real
 * server serves it and its retention deletes by age and by disk quota while
 * locks placed through the admin API keep their segments. Debian's
 * ffprobe/ffmpeg judge the imported files; the disk is read directly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { findFreePort } from '../helpers/free-port.js';
import { decodeErrors, makeTestClip, probeCodecs } from '../helpers/media-check.js';
import { runVigilImport, writeImportConfig } from '../helpers/vigil-cli.js';
import { eventually, startVigilProcess, type VigilProcess } from '../helpers/vigil-process.js';

const CLIP_SECONDS = 20;
const SEGMENT_SECONDS = 4;
/** One video frame at 25 fps: the tolerance for times Vigil derives from media. */
const FRAME_S = 0.04;

interface Range {
  from: number;
  duration: number;
}

/** A segment file as found on disk: its start comes from its name (`…T100004.000Z.mp4`). */
interface SegmentFile {
  path: string;
  startS: number;
  sizeBytes: number;
}

const SEGMENT_NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z\.mp4$/;

function segmentFiles(dataDir: string, stream: string): SegmentFile[] {
  const dir = join(dataDir, 'archive', stream);
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.mp4'))
    .map((e) => {
      const m = SEGMENT_NAME.exec(e.name);
      assert.ok(m, `unexpected segment file name ${e.name}`);
      const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const path = join(e.parentPath, e.name);
      return { path, startS: Date.UTC(y, mo - 1, d, h, mi, s, ms) / 1000, sizeBytes: statSync(path).size };
    })
    .sort((a, b) => a.startS - b.startS);
}

const names = (files: SegmentFile[]): string[] => files.map((f) => basename(f.path));
const totalBytes = (files: SegmentFile[]): number => files.reduce((sum, f) => sum + f.sizeBytes, 0);

/** Whole seconds `hoursAgo` before `nowS`, as ISO 8601 (what `--start` takes). */
function isoHoursAgo(nowS: number, hoursAgo: number): { iso: string; unixS: number } {
  const unixS = nowS - hoursAgo * 3600;
  return { iso: new Date(unixS * 1000).toISOString().replace('.000Z', 'Z'), unixS };
}

async function ranges(vigil: VigilProcess, stream: string): Promise<Range[]> {
  const res = await vigil.api('GET', `/streamer/api/v3/streams/${stream}/dvr/ranges`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body as { ranges: Range[] }).ranges;
}

async function lock(vigil: VigilProcess, stream: string, from: number, duration: number): Promise<void> {
  const res = await vigil.api('POST', `/streamer/api/v3/streams/${stream}/dvr/locks`, { from, duration });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/** Asserts two times agree to within one frame. */
function assertNear(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= FRAME_S, `${what}: expected ${expected} (±${FRAME_S}), got ${actual}`);
}

/** The segments a lock `[fromS, fromS + durationS)` overlaps; a segment lasts until the next one starts. */
function overlapping(files: SegmentFile[], endS: number, fromS: number, durationS: number): SegmentFile[] {
  return files.filter((f, i) => {
    const segmentEndS = files[i + 1]?.startS ?? endS;
    return fromS < segmentEndS && f.startS < fromS + durationS;
  });
}

describe('importing with the CLI, then retention in the server', { timeout: 240_000 }, () => {
  let work: string;
  let dataDir: string;
  let port: number;
  let vigil: VigilProcess | undefined;
  let clipUrl: string;
  const nowS = Math.floor(Date.now() / 1000);
  const imported = isoHoursAgo(nowS, 3);
  const aged = isoHoursAgo(nowS, 3);
  const quota = isoHoursAgo(nowS, 1);
  // What each stream held right after the import, before any retention.
  let agedBefore: SegmentFile[];
  let quotaBefore: SegmentFile[];
  let quotaLimitBytes: number;

  /** YAML for the server: 4 s segments, retention every `intervalS`, the two policed streams. */
  const serverConfig = (intervalS: number): string =>
    [
      'dvr:',
      `  segment_duration: ${SEGMENT_SECONDS}`,
      `  retention_interval: ${intervalS}`,
      'streams:',
      '  aged:',
      `    url: ${JSON.stringify(clipUrl)}`,
      '    enabled: false',
      '    dvr:',
      '      expiration: 3600',
      '  quota:',
      `    url: ${JSON.stringify(clipUrl)}`,
      '    enabled: false',
      '    dvr:',
      `      disk_limit: ${quotaLimitBytes}`,
      '',
    ].join('\n');

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'vigil-e2e-import-'));
    dataDir = join(work, 'data');
    const clip = join(work, 'clip.mp4');
    clipUrl = pathToFileURL(clip).href;
    await makeTestClip(clip, { seconds: CLIP_SECONDS });

    const importConfig = writeImportConfig(join(work, 'import.yaml'), dataDir, SEGMENT_SECONDS);
    await runVigilImport(importConfig, 'imported', imported.iso, clip);
    await runVigilImport(importConfig, 'aged', aged.iso, clip);
    await runVigilImport(importConfig, 'quota', quota.iso, clip);

    agedBefore = segmentFiles(dataDir, 'aged');
    quotaBefore = segmentFiles(dataDir, 'quota');
    assert.ok(quotaBefore.length >= 3, `a 20 s clip in 4 s segments: got ${quotaBefore.length} segment(s)`);
    // About two segments: the locked oldest plus the newest, and half of the one before it,
    // so exactly the oldest and the newest fit and the ones between must go.
    const oldest = quotaBefore[0]!;
    const newest = quotaBefore[quotaBefore.length - 1]!;
    const beforeNewest = quotaBefore[quotaBefore.length - 2]!;
    quotaLimitBytes = oldest.sizeBytes + newest.sizeBytes + Math.floor(beforeNewest.sizeBytes / 2);
  });

  after(async () => {
    await vigil?.kill('SIGTERM');
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** A failed test shows the tail of what the server logged, which is where the reason is. */
  const withServerLog = (body: () => Promise<void>) => async () => {
    try {
      await body();
    } catch (err) {
      if (err instanceof Error && vigil !== undefined) {
        err.message += `\n--- vigil output (tail) ---\n${vigil.output().slice(-4000)}`;
      }
      throw err;
    }
  };

  test(
    'an import lands at its --start and every segment plays in ffmpeg',
    withServerLog(async () => {
      port = await findFreePort();
      // Retention must not run before the locks below are in place.
      vigil = await startVigilProcess({ dataDir, port, extraConfig: serverConfig(3600) });

      const rs = await ranges(vigil, 'imported');
      assert.equal(rs.length, 1, `one continuous range, got ${JSON.stringify(rs)}`);
      assertNear(rs[0]!.from, imported.unixS, 'range start');
      assertNear(rs[0]!.duration, CLIP_SECONDS, 'range duration');

      const files = segmentFiles(dataDir, 'imported');
      assert.ok(files.length >= 2, `4 s segments: expected several files, got ${files.length}`);
      for (const file of files) {
        assert.deepEqual((await probeCodecs(file.path)).sort(), ['aac', 'h264'], `${file.path}: codecs`);
        assert.equal(await decodeErrors(file.path), '', `${file.path} decodes without an error`);
      }
    }),
  );

  describe('retention with locks placed through the API', () => {
    let agedLocked: SegmentFile[];

    before(async () => {
      assert.ok(vigil, 'the server from the import test is running');
      // 4 s in the middle of the aged stream, and 2 s inside the quota stream's oldest segment.
      const agedLockFrom = aged.unixS + 2 * SEGMENT_SECONDS;
      await lock(vigil, 'aged', agedLockFrom, SEGMENT_SECONDS);
      await lock(vigil, 'quota', quota.unixS, 2);
      agedLocked = overlapping(agedBefore, aged.unixS + CLIP_SECONDS, agedLockFrom, SEGMENT_SECONDS);

      // Restarting with a short interval makes retention run only once the locks exist.
      await vigil.kill('SIGTERM');
      vigil = await startVigilProcess({ dataDir, port, extraConfig: serverConfig(1) });
    });

    test(
      'by age: only the locked middle of an expired stream is kept, in the ranges and on disk',
      withServerLog(async () => {
        assert.ok(agedLocked.length > 0 && agedLocked.length < agedBefore.length, 'the lock covers some, not all');
        const lockedFrom = agedLocked[0]!.startS;
        const lockedEnd = agedBefore[agedBefore.indexOf(agedLocked[agedLocked.length - 1]!) + 1]?.startS;
        const lockedDuration = (lockedEnd ?? aged.unixS + CLIP_SECONDS) - lockedFrom;

        await eventually('retention of the aged stream', async () => {
          const r = await ranges(vigil!, 'aged');
          // Thrown, not returned: eventually reports the last mismatch if it times out.
          assert.equal(r.length, 1, `only the locked range is left, got ${JSON.stringify(r)}`);
          assertNear(r[0]!.from, lockedFrom, 'locked range start');
          assertNear(r[0]!.duration, lockedDuration, 'locked range duration');
          return r;
        });
        assert.deepEqual(names(segmentFiles(dataDir, 'aged')), names(agedLocked), 'only the locked files remain');
      }),
    );

    test(
      'by disk quota: the oldest unlocked segments go, the locked oldest and the newest stay',
      withServerLog(async () => {
        const oldest = quotaBefore[0]!;
        const newest = quotaBefore[quotaBefore.length - 1]!;
        const quotaEndS = quota.unixS + CLIP_SECONDS;

        // Deletions go one at a time, so wait for the final shape, not just any two ranges.
        await eventually('retention of the quota stream', async () => {
          const r = await ranges(vigil!, 'quota');
          assert.equal(r.length, 2, `the locked oldest and the newest, got ${JSON.stringify(r)}`);
          assertNear(r[0]!.from, oldest.startS, 'the locked oldest segment starts the stream');
          assertNear(r[0]!.duration, quotaBefore[1]!.startS - oldest.startS, 'the oldest segment is whole');
          assertNear(r[1]!.from, newest.startS, 'the newest segment starts the second range');
          assertNear(r[1]!.from + r[1]!.duration, quotaEndS, 'the newest segment ends the stream');
          return r;
        });
        const left = segmentFiles(dataDir, 'quota');
        assert.deepEqual(names(left), names([oldest, newest]), 'the segments between were deleted, oldest first');
        assert.ok(
          totalBytes(left) <= quotaLimitBytes,
          `${totalBytes(left)} bytes on disk, limit ${quotaLimitBytes} (was ${totalBytes(quotaBefore)})`,
        );
        // The same clip in a stream with no policy: retention left it whole.
        assert.equal(segmentFiles(dataDir, 'imported').length, agedBefore.length, 'the unpoliced stream is untouched');
      }),
    );
  });
});
