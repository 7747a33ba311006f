import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Archive } from './archive.js';
import { markSegmentRemoteOnly, markSegmentUploaded, segmentStorageOf } from './index/segment-storage.repo.js';
import { updateSegmentExtent } from './index/segments.repo.js';
import { segmentRelativePath } from './layout.js';
import { makeTempDir } from './testing/fixtures.js';
import { FRAGMENT_US, videoFragment, writeVideoSegment } from './testing/segments.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 5, 2, 23, 59, 0) * 1000;

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** A 5 s fMP4 (H.264 + AAC, 1 s fragments) made by Debian's ffmpeg, the independent writer. */
function ffmpegFragmentedMp4(path: string): void {
  const r = spawnSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '5'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac'],
    ...['-movflags', 'frag_keyframe+empty_moov+default_base_moof', path],
  ]);
  assert.equal(r.status, 0, `ffmpeg failed: ${r.stderr.toString()}`);
}

/** Video packets ffprobe reads from the file (the test payloads are not real H.264, so nothing is decoded). */
function ffprobeVideoPackets(path: string): number {
  const r = spawnSync('ffprobe', [
    ...['-v', 'quiet', '-count_packets', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path],
  ]);
  assert.equal(r.status, 0, `ffprobe failed on ${path}`);
  return Number(r.stdout.toString().trim());
}

describe('Archive.recover', () => {
  let archive: Archive;
  let root: string;
  let dbPath: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    root = join(tmp.dir, 'archive');
    dbPath = join(tmp.dir, 'index.sqlite');
    archive = await Archive.open({ databasePath: dbPath, defaultRoot: root });
  });
  afterEach(async () => {
    await archive.close();
    await cleanup();
  });

  it('drops rows whose file is gone and leaves healthy segments alone', async () => {
    const healthy = await writeVideoSegment(archive, 'cam1', T0, 2);
    const lost = await writeVideoSegment(archive, 'cam1', T0 + 4 * S, 2);
    await rm(join(root, lost.segment.path));
    const report = await archive.recover();
    assert.deepEqual(report.droppedMissing, [{ segmentId: lost.segment.id, root, path: lost.segment.path }]);
    assert.deepEqual(report.closed, []);
    assert.deepEqual(report.indexed, []);
    assert.deepEqual(await archive.ranges('cam1'), [{ fromUs: T0, durationUs: 2 * FRAGMENT_US }]);
    assert.equal((await stat(join(root, healthy.segment.path))).size, (await archive.depth('cam1')).sizeBytes);
  });

  it('keeps rows whose bytes are in object storage when the local file is gone', async () => {
    const uploaded = await writeVideoSegment(archive, 'cam1', T0, 2);
    const remoteOnly = await writeVideoSegment(archive, 'cam1', T0 + 4 * S, 2);
    for (const s of [uploaded, remoteOnly]) assert.equal(await markSegmentUploaded(archive.db, s.segment.id), true);
    assert.equal(await markSegmentRemoteOnly(archive.db, remoteOnly.segment.id), true);
    for (const s of [uploaded, remoteOnly]) await rm(join(root, s.segment.path));
    const report = await archive.recover();
    assert.deepEqual(report.droppedMissing, []);
    assert.equal(
      await segmentStorageOf(archive.db, uploaded.segment.id),
      'remote',
      'a confirmed copy is now remote-only',
    );
    assert.equal(await segmentStorageOf(archive.db, remoteOnly.segment.id), 'remote');
  });

  it('closes an open segment: indexes fragments the file has beyond the index and cuts a torn tail', async () => {
    // The recorder wrote and indexed 2 fragments, then wrote 2 more to the file before the
    // index saw them, then died half way through a fifth (kill -9).
    const appender = await writeVideoSegment(archive, 'cam1', T0, 2);
    await updateSegmentExtent(archive.db, appender.segment.id, {
      endUs: T0 + 2 * FRAGMENT_US,
      sizeBytes: (await stat(join(root, appender.segment.path))).size,
      closed: false,
    });
    const file = join(root, appender.segment.path);
    for (const i of [2, 3]) {
      const f = videoFragment(i, T0);
      await appendFile(file, concat([f.moof, ...f.mdatChunks]));
    }
    const goodBytes = (await stat(file)).size;
    const fifth = videoFragment(4, T0);
    const fifthBytes = concat([fifth.moof, ...fifth.mdatChunks]);
    await appendFile(file, fifthBytes.subarray(0, fifth.moof.byteLength + 100));

    const report = await archive.recover();
    assert.deepEqual(report.closed, [
      {
        segmentId: appender.segment.id,
        path: appender.segment.path,
        fragmentsAdded: 2,
        truncatedBytes: fifth.moof.byteLength + 100,
      },
    ]);
    assert.equal((await stat(file)).size, goodBytes);
    assert.deepEqual(await archive.ranges('cam1'), [{ fromUs: T0, durationUs: 4 * FRAGMENT_US }]);
    const [segment] = await archive.segmentsInRange('cam1', 'main', T0, T0 + 1);
    assert.equal(segment?.closed, true);
    assert.equal(segment?.sizeBytes, goodBytes);
    const fragments = await archive.fragmentsOf([appender.segment.id]);
    assert.deepEqual(
      fragments.map((f) => [f.sequenceNumber, f.startUs - T0, f.endUs - T0]),
      [0, 1, 2, 3].map((i) => [i + 1, i * FRAGMENT_US, (i + 1) * FRAGMENT_US]),
    );
    assert.equal(ffprobeVideoPackets(file), 4 * 50, 'ffprobe reads all four fragments of the repaired file');

    const again = await archive.recover();
    assert.deepEqual([again.closed, again.indexed, again.droppedMissing], [[], [], []], 'recovery is idempotent');
  });

  it('cuts a zero-filled tail (a torn write the filesystem left as a hole) from an open segment', async () => {
    const appender = await writeVideoSegment(archive, 'cam1', T0, 1);
    const file = join(root, appender.segment.path);
    const goodBytes = (await stat(file)).size;
    await updateSegmentExtent(archive.db, appender.segment.id, { endUs: T0, sizeBytes: goodBytes, closed: false });
    await truncate(file, goodBytes + 4096);
    const report = await archive.recover();
    assert.equal(report.closed[0]?.truncatedBytes, 4096);
    assert.equal((await stat(file)).size, goodBytes);
  });

  it('indexes an ffmpeg-made file the index does not know, cut mid-fragment, by its path and boxes', async () => {
    const path = segmentRelativePath('lobby', 'main', T0);
    const file = join(root, path);
    await mkdir(dirname(file), { recursive: true });
    ffmpegFragmentedMp4(file);
    const whole = await readFile(file);
    // Cut inside the last fragment's mdat: what kill -9 during a write leaves.
    const cutAt = whole.length - 262 - 1000; // 262: ffmpeg's trailing mfra
    await truncate(file, cutAt);

    const report = await archive.recover();
    assert.equal(report.unreadable.length, 0, JSON.stringify(report.unreadable));
    assert.equal(report.indexed.length, 1);
    const entry = report.indexed[0];
    assert.equal(entry?.path, path);
    assert.equal(entry?.fragments, 4);
    assert.equal(ffprobeVideoPackets(file), 4 * 25, 'ffprobe reads the four complete fragments');
    const size = (await stat(file)).size;
    assert.equal(entry?.truncatedBytes, cutAt - size);

    const [segment] = await archive.segmentsInRange('lobby', 'main', T0, T0 + 1);
    assert.equal(segment?.stream, 'lobby');
    assert.equal(segment?.closed, true);
    assert.equal(segment?.sizeBytes, size);
    assert.match(segment?.codecs ?? '', /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    const fragments = await archive.fragmentsOf([segment?.id ?? -1]);
    assert.equal(fragments[0]?.startUs, T0);
    assert.ok(fragments.every((f) => f.startsWithKeyframe));
    // 4 fragments of 25 frames at 25 fps (ffmpeg stretches the first frame slightly).
    const [range] = await archive.ranges('lobby');
    assert.equal(range?.fromUs, T0);
    assert.ok(Math.abs((range?.durationUs ?? 0) - 4 * S) < 50_000, `duration ${range?.durationUs}`);
  });

  it('reports files it cannot parse and leaves them on disk', async () => {
    const garbage = segmentRelativePath('cam9', 'main', T0);
    const stray = 'cam9/holiday.mp4';
    for (const p of [garbage, stray]) {
      await mkdir(dirname(join(root, p)), { recursive: true });
      await writeFile(join(root, p), 'this is not an mp4 file at all');
    }
    const report = await archive.recover();
    assert.deepEqual(
      report.unreadable.map((u) => u.path),
      [garbage, stray],
    );
    assert.equal((await stat(join(root, garbage))).size, 30);
    assert.equal((await stat(join(root, stray))).size, 30);
    assert.equal((await archive.depth('cam9')).segments, 0);
  });
});
