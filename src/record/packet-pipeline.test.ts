import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Archive } from '../archive/index.js';
import { createMediaEngine } from '../media/index.js';
import { decodeErrors, makeTestClip, videoPacketHashes } from '../../test/helpers/media-check.js';
import { importFiles } from './import.js';
import { PacketPipeline } from './packet-pipeline.js';
import { mapTracks } from './track-map.js';

const run = promisify(execFile);

async function probeSize(path: string): Promise<string> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x'],
    path,
  ]);
  return stdout.trim();
}

test('a resolution change in the middle of a stream starts a new segment with its own init', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-rescale-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    // Two MPEG-TS clips back to back, as a camera whose resolution is changed
    // while it streams: the new SPS only comes in-band, with no new extradata.
    const small = join(dir, 'small.ts');
    const large = join(dir, 'large.ts');
    await makeTestClip(small, { seconds: 3, size: '320x240', audioRate: null });
    await makeTestClip(large, {
      seconds: 3,
      size: '480x272',
      audioRate: null,
      outputArgs: ['-output_ts_offset', '3'],
    });
    const joined = join(dir, 'joined.ts');
    await writeFile(joined, Buffer.concat([await readFile(small), await readFile(large)]));

    const result = await importFiles({
      archive,
      engine: createMediaEngine(),
      stream: 'cam',
      startUs: Date.UTC(2026, 0, 1) * 1000,
      files: [joined],
      segmentDurationUs: 60_000_000,
    });

    assert.equal(result.segments.length, 2, 'one segment per resolution');
    const segments = (await archive.listAllSegments()).sort((a, b) => a.startUs - b.startUs);
    const sizes = [];
    for (const segment of segments) {
      const path = join(segment.root, segment.path);
      sizes.push(await probeSize(path));
      assert.equal(await decodeErrors(path), '', `${segment.path} decodes without an error`);
    }
    assert.deepEqual(sizes, ['320x240', '480x272']);
    assert.ok(Math.abs(segments[1]!.startUs - segments[0]!.startUs - 3_000_000) <= 40_000, 'the cut is at the change');
  } finally {
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('payloads are released once, only after they are written: a source that reuses the memory at once loses nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-release-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 5, size: '320x240' });
    const source = await createMediaEngine().openSource(pathToFileURL(clip).href, {
      openTimeoutMs: 10_000,
      readTimeoutMs: 10_000,
    });
    const { plans } = mapTracks(source.tracks, 'keep');
    const pipeline = new PacketPipeline({
      archive,
      stream: 'cam',
      variant: 'main',
      plans,
      timing: { kind: 'fixed', startUs: Date.UTC(2026, 0, 1) * 1000 },
      // Fragments of 1 s: several writes, each releasing what it wrote.
      fragmenter: { segmentDurationUs: 60_000_000, maxFragmentUs: 1_000_000 },
      events: { segmentOpened() {}, fragmentWritten() {}, segmentClosed() {}, discontinuity() {} },
    });
    let packets = 0;
    let releases = 0;
    for await (const original of source.packets()) {
      packets += 1;
      // Each payload in memory of its own, scribbled over the moment it is released (as a reusing source would).
      const data = Buffer.from(original.data);
      let released = false;
      const release = (): void => {
        assert.equal(released, false, 'released twice');
        released = true;
        releases += 1;
        data.fill(0xee);
      };
      await pipeline.push({ ...original, data, release });
    }
    await pipeline.finish();
    await source.close();

    assert.equal(releases, packets, 'every packet written is released');
    const [segment] = await archive.listAllSegments();
    const recorded = join(segment!.root, segment!.path);
    assert.deepEqual(
      await videoPacketHashes(recorded),
      await videoPacketHashes(clip),
      'every frame as the source has it',
    );
    assert.equal(await decodeErrors(recorded), '');
  } finally {
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
});
