import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive } from '../archive/index.js';
import { createMediaEngine } from '../media/index.js';
import { startRtspCamera } from '../../test/helpers/rtsp-camera.js';
import { decodeErrors, probeCodecs } from '../../test/helpers/media-check.js';
import { Recorder } from './recorder.js';
import type { RecorderState } from './types.js';

const engine = createMediaEngine();

/** Resolves when `predicate` holds for an emitted state; rejects after `ms`. */
function waitForState(
  recorder: Recorder,
  predicate: (s: RecorderState) => boolean,
  ms = 30_000,
): Promise<RecorderState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      recorder.off('stateChanged', onState);
      reject(new Error(`state not reached in ${ms} ms; now ${JSON.stringify(recorder.state())}`));
    }, ms);
    const onState = (s: RecorderState): void => {
      if (!predicate(s)) return;
      clearTimeout(timer);
      recorder.off('stateChanged', onState);
      resolve(s);
    };
    recorder.on('stateChanged', onState);
  });
}

async function waitForFragments(recorder: Recorder, count: number, ms = 30_000): Promise<void> {
  const signal = AbortSignal.timeout(ms);
  for (let i = 0; i < count; i++) await once(recorder, 'fragmentWritten', { signal });
}

async function withArchive(fn: (archive: Archive, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-rec-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  try {
    await fn(archive, dir);
  } finally {
    await archive.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function checkSegments(archive: Archive, expectedCodecs: string[]): Promise<number> {
  const segments = await archive.listAllSegments();
  for (const segment of segments) {
    assert.equal(segment.closed, true);
    const file = join(segment.root, segment.path);
    assert.deepEqual(await probeCodecs(file), expectedCodecs, file);
    assert.equal(await decodeErrors(file), '', file);
  }
  return segments.length;
}

test('records an RTSP camera, retries while it is down and records again when it is back', async () => {
  const camera = await startRtspCamera();
  try {
    await withArchive(async (archive) => {
      const recorder = new Recorder({
        engine,
        archive,
        stream: 'cam1',
        variant: 'main',
        url: camera.url,
        segmentDurationUs: 3_000_000,
        minBackoffMs: 200,
        stallTimeoutMs: 5_000,
      });
      const opened: number[] = [];
      recorder.on('segmentOpened', (s) => opened.push(s.id));
      recorder.start();
      try {
        await waitForFragments(recorder, 5);
        assert.equal(recorder.state().status, 'recording');
        assert.match(recorder.state().codecs ?? '', /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);

        const retrying = waitForState(recorder, (s) => s.status === 'retrying');
        await camera.stop();
        const down = await retrying;
        assert.ok(down.lastError !== undefined, 'the last error is kept');

        const openedBefore = opened.length;
        await camera.restart();
        await waitForState(recorder, (s) => s.status === 'recording');
        await waitForFragments(recorder, 2);
        assert.ok(opened.length > openedBefore, 'a new segment after the camera came back');
      } finally {
        await recorder.stop();
      }
      assert.equal(recorder.state().status, 'stopped');
      const ranges = await archive.ranges('cam1');
      assert.ok(ranges.length >= 1);
      assert.ok(ranges.every((r) => r.durationUs > 0));
      assert.ok((await checkSegments(archive, ['h264', 'aac'])) >= 2);
    });
  } finally {
    await camera.stop();
  }
});

test('records demo://clock into playable segments', async () => {
  await withArchive(async (archive) => {
    const recorder = new Recorder({ engine, archive, stream: 'demo', variant: 'main', url: 'demo://clock' });
    recorder.start();
    try {
      await waitForFragments(recorder, 3);
    } finally {
      await recorder.stop();
    }
    const ranges = await archive.ranges('demo');
    assert.equal(ranges.length, 1);
    assert.ok((ranges[0]?.durationUs ?? 0) >= 3_000_000);
    assert.equal(await checkSegments(archive, ['h264']), 1);
  });
});
