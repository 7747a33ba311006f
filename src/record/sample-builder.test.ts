import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleBuilder } from './sample-builder.js';
import type { SourcePacket } from '../media/types.js';

function packet(dts: number, pts: number, isKeyframe: boolean, data: number[]): SourcePacket {
  return { trackIndex: 0, dts, pts, duration: 0, isKeyframe, data: Uint8Array.from(data) };
}

test('a sample takes its duration from the next packet and its offset from pts − dts', () => {
  const builder = new SampleBuilder({ timeBase: { num: 1, den: 25 }, timescale: 90_000, video: true });
  assert.equal(builder.push(packet(0, 1, true, [0, 0, 0, 1, 0x65, 0xaa])), undefined);
  const first = builder.push(packet(1, 3, false, [0, 0, 1, 0x41, 0xbb]));
  assert.deepEqual(first?.info, { durationTicks: 3600, sizeBytes: 6, isSync: true, compositionOffsetTicks: 3600 });
  assert.equal(first?.dtsTicks, 0);
  // Annex B start code → 4-byte length prefix.
  assert.deepEqual(first?.payload, Uint8Array.of(0, 0, 0, 2, 0x65, 0xaa));
  const last = builder.flush();
  assert.deepEqual(last?.info, { durationTicks: 3600, sizeBytes: 6, isSync: false, compositionOffsetTicks: 7200 });
  assert.deepEqual(last?.payload, Uint8Array.of(0, 0, 0, 2, 0x41, 0xbb));
  assert.equal(builder.flush(), undefined);
});

test('ticks come from absolute timestamps, so rounding never accumulates', () => {
  const builder = new SampleBuilder({ timeBase: { num: 1, den: 30 }, timescale: 1000, video: false });
  let total = 0;
  for (let i = 0; i <= 30; i++) {
    const sample = builder.push({
      trackIndex: 1,
      dts: i,
      pts: i,
      duration: 1,
      isKeyframe: true,
      data: Uint8Array.of(i),
    });
    total += sample?.info.durationTicks ?? 0;
  }
  assert.equal(total, 1000);
});

test('audio samples are all sync samples and keep their payload as is', () => {
  const builder = new SampleBuilder({ timeBase: { num: 1, den: 8000 }, timescale: 8000, video: false });
  builder.push({ trackIndex: 1, dts: 0, pts: 0, duration: 1024, isKeyframe: false, data: Uint8Array.of(0, 0, 1) });
  const sample = builder.flush();
  assert.deepEqual(sample?.info, { durationTicks: 1024, sizeBytes: 3, isSync: true, compositionOffsetTicks: 0 });
  assert.deepEqual(sample?.payload, Uint8Array.of(0, 0, 1));
});
