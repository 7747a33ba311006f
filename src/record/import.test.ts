import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive } from '../archive/index.js';
import { createMediaEngine } from '../media/index.js';
import { decodeErrors, makeTestClip, probeCodecs } from '../../test/helpers/media-check.js';
import { importFiles } from './import.js';

const FRAME_US = 40_000;

test('a 10 s file imports as segments starting at the given UTC, 10 s long in all', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-import-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    const file = join(dir, 'in.mp4');
    await makeTestClip(file, { seconds: 10, gop: 50, audioRate: 8000 });
    const startUs = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
    const result = await importFiles({
      archive,
      engine: createMediaEngine(),
      stream: 'imported',
      startUs,
      files: [file],
      segmentDurationUs: 4_000_000,
    });
    assert.equal(result.segments.length, 3);
    assert.equal(result.segments[0]?.startUs, startUs);
    assert.ok(Math.abs(result.durationUs - 10_000_000) <= FRAME_US, `duration ${result.durationUs}`);
    const ranges = await archive.ranges('imported');
    assert.equal(ranges[0]?.fromUs, startUs);
    for (const segment of await archive.listAllSegments()) {
      const path = join(segment.root, segment.path);
      assert.deepEqual(await probeCodecs(path), ['h264', 'aac']);
      assert.equal(await decodeErrors(path), '');
    }
  } finally {
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
});
