import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ArchiveWriter, NewSegment, SegmentAppender } from '../archive/types.js';
import type { StreamDefinition } from '../config/stream-types.js';
import { createMediaEngine } from '../media/index.js';
import type { Recorder } from './recorder.js';
import { RecordingManager } from './recording-manager.js';

/** An archive that keeps nothing: this test is about which recorders run, not what they write. */
const nullArchive: ArchiveWriter = {
  async openSegment(segment: NewSegment): Promise<SegmentAppender> {
    return {
      segment: {
        id: 1,
        stream: segment.stream,
        variant: segment.variant,
        startUs: segment.startUs,
        endUs: segment.startUs,
        root: '/',
        path: 'x.mp4',
        sizeBytes: 0,
        initSizeBytes: 0,
        tracks: segment.tracks,
        codecs: '',
        closed: false,
      },
      appendFragment: async () => undefined,
      close: async () => undefined,
    };
  },
};

const base: StreamDefinition = {
  name: 'cam',
  url: 'demo://clock',
  substreamUrl: undefined,
  title: 'cam',
  flip: 'none',
  rotate: 0,
  audio: 'transcode',
  rtspTransport: 'tcp',
  enabled: true,
  dvr: { root: undefined, expirationSeconds: undefined, diskLimitBytes: undefined },
};

test('apply starts main and sub recorders, restarts only what changed, and remove stops them', async () => {
  const created: Recorder[] = [];
  const manager = new RecordingManager({
    engine: createMediaEngine(),
    archive: nullArchive,
    onRecorder: (r) => created.push(r),
  });
  try {
    await manager.apply({ ...base, substreamUrl: 'demo://clock' });
    assert.deepEqual(
      manager.states('cam').map((s) => s.variant),
      ['main', 'sub'],
    );
    await Promise.all(created.map((r) => once(r, 'segmentOpened', { signal: AbortSignal.timeout(30_000) })));
    await manager.apply({ ...base, substreamUrl: 'demo://clock', title: 'renamed' });
    assert.equal(created.length, 2, 'a title change restarts nothing');
    await manager.apply({ ...base, substreamUrl: undefined });
    assert.deepEqual(
      manager.states('cam').map((s) => s.variant),
      ['main'],
    );
    assert.equal(created[1]?.state().status, 'stopped');
    await manager.apply({ ...base, enabled: false });
    assert.deepEqual(manager.states('cam'), []);
    assert.equal(created[0]?.state().status, 'stopped');
  } finally {
    await manager.stopAll();
  }
});
