import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVigilError } from '../errors.js';
import { buildFragment, readFragment } from './fragment.js';
import { shiftDecodeTimes } from './shift-decode-times.js';

const sample = { durationTicks: 3600, sizeBytes: 3, isSync: true, compositionOffsetTicks: 0 };

test('each track moves by its own shift and the moof keeps its size and data offsets', () => {
  const { moof } = buildFragment(7, [
    { trackId: 1, baseMediaDecodeTime: 90_000, samples: [sample], payloads: [new Uint8Array(3)] },
    { trackId: 2, baseMediaDecodeTime: 48_000, samples: [sample], payloads: [new Uint8Array(3)] },
  ]);
  const shift = new Map([
    [1, 158_000_000_000_000],
    [2, 84_000_000_000_000],
  ]);
  const shifted = shiftDecodeTimes(moof, shift);
  assert.equal(shifted.length, moof.length);
  const before = readFragment(moof);
  const after = readFragment(shifted);
  assert.deepEqual(
    after.runs.map((r) => r.baseMediaDecodeTime),
    [90_000 + 158_000_000_000_000, 48_000 + 84_000_000_000_000],
  );
  assert.deepEqual(
    after.runs.map((r) => r.dataOffset),
    before.runs.map((r) => r.dataOffset),
  );
  assert.equal(readFragment(moof).runs[0]!.baseMediaDecodeTime, 90_000, 'the original is untouched');
});

test('a decode time that would go negative is refused', () => {
  const { moof } = buildFragment(1, [
    { trackId: 1, baseMediaDecodeTime: 10, samples: [sample], payloads: [new Uint8Array(3)] },
  ]);
  assert.throws(
    () => shiftDecodeTimes(moof, new Map([[1, -11]])),
    (err) => isVigilError(err, 'MEDIA_INVALID'),
  );
});
