import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecorderState } from '../record/types.js';
import { parseRecorderStates, serializeRecorderStates } from './published-state.js';

const state: RecorderState = {
  variant: 'main',
  status: 'retrying',
  sinceUs: 1_700_000_000_000_000,
  lastError: { code: 'SOURCE_FAILED', message: 'connection refused', atUs: 1_700_000_000_500_000 },
  nextAttemptAtUs: 1_700_000_002_000_000,
  lastPacketAtUs: undefined,
  segmentsWritten: 3,
  bytesWritten: 12_345,
  codecs: 'avc1.640028',
  publisher: { via: 'rtmp', client: '10.0.0.9:50000', sinceUs: 1_699_999_999_000_000 },
};

describe('published recorder state', () => {
  it('round-trips a state through the lease row, tagged with the node', () => {
    assert.deepEqual(parseRecorderStates(serializeRecorderStates([state]), 'rec-1'), [{ ...state, node: 'rec-1' }]);
  });

  it('reads null, broken JSON and unknown shapes as no state instead of throwing', () => {
    for (const json of [
      null,
      '{',
      '{"variant":"main"}',
      '[{"variant":"main","status":"dancing","sinceUs":1}]',
      '[1]',
    ]) {
      assert.deepEqual(parseRecorderStates(json, 'rec-1'), [], String(json));
    }
  });
});
