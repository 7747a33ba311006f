import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toStreamDefinition } from '../config/stream-schema.js';
import type { RecorderState } from '../record/types.js';
import type { ArchiveApi, RecordingControl } from './deps.js';
import { streamView } from './stream-view.js';

const KEY = 'view-test-key-1';

function recorderState(patch: Partial<RecorderState>): RecorderState {
  return {
    variant: 'main',
    status: 'waiting',
    sinceUs: 1_000_000_000,
    lastError: undefined,
    nextAttemptAtUs: undefined,
    lastPacketAtUs: undefined,
    segmentsWritten: 0,
    bytesWritten: 0,
    codecs: undefined,
    ...patch,
  };
}

function deps(state: RecorderState | undefined): [ArchiveApi, RecordingControl] {
  const archive = { ranges: () => [] } as unknown as ArchiveApi;
  const recording = { states: () => (state === undefined ? [] : [state]) } as unknown as RecordingControl;
  return [archive, recording];
}

describe('streamView of a publish:// stream', () => {
  const def = toStreamDefinition('studio', { url: 'publish://', publish_key: KEY });

  it('shows that it waits for a publisher, since when, and never the key', async () => {
    const view = await streamView(def, ...deps(recorderState({ sinceUs: 1_700_000_000_000_000 })));
    assert.equal(view.state.status, 'waiting');
    assert.deepEqual(view.state.publisher, { state: 'waiting', since: 1_700_000_000 });
    assert.equal(JSON.stringify(view).includes(KEY), false);
  });

  it('shows the publisher connected: how, from where and since when', async () => {
    const publisher = { via: 'vigil' as const, client: '127.0.0.1:50122', sinceUs: 1_700_000_010_000_000 };
    const view = await streamView(def, ...deps(recorderState({ status: 'recording', publisher })));
    assert.deepEqual(view.state.publisher, {
      state: 'publishing',
      via: 'vigil',
      client: '127.0.0.1:50122',
      since: 1_700_000_010,
    });
  });

  it('shows no publisher for a pulled stream or a disabled one', async () => {
    const pulled = toStreamDefinition('cam', { url: 'rtsp://cam/1' });
    assert.equal(
      (await streamView(pulled, ...deps(recorderState({ status: 'recording' })))).state.publisher,
      undefined,
    );
    const off = toStreamDefinition('off', { url: 'publish://', publish_key: KEY, enabled: false });
    assert.equal((await streamView(off, ...deps(undefined))).state.publisher, undefined);
  });
});
