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

test('AAC from MPEG-TS loses its ADTS header (with or without CRC)', () => {
  const builder = new SampleBuilder({
    timeBase: { num: 1, den: 48_000 },
    timescale: 48_000,
    video: false,
    stripAdts: true,
  });
  const noCrc = [0xff, 0xf1, 0x4c, 0x80, 0x01, 0x3f, 0xfc, 0x21, 0x10];
  const withCrc = [0xff, 0xf0, 0x4c, 0x80, 0x01, 0x7f, 0xfc, 0xaa, 0xbb, 0x21, 0x20];
  builder.push({ trackIndex: 1, dts: 0, pts: 0, duration: 1024, isKeyframe: true, data: Uint8Array.from(noCrc) });
  const first = builder.push({
    trackIndex: 1,
    dts: 1024,
    pts: 1024,
    duration: 1024,
    isKeyframe: true,
    data: Uint8Array.from(withCrc),
  });
  assert.deepEqual(first?.payload, Uint8Array.of(0x21, 0x10));
  assert.deepEqual(builder.flush()?.payload, Uint8Array.of(0x21, 0x20));
});

test('a length-prefixed video sample that looks like a 3-byte start code is kept as it is', () => {
  // A first NAL unit of 0x1a0 bytes: its length prefix reads 00 00 01 a0.
  const sample = new Uint8Array(4 + 0x1a0);
  sample.set([0, 0, 1, 0xa0, 0x41]);
  const builder = new SampleBuilder({
    timeBase: { num: 1, den: 25 },
    timescale: 90_000,
    video: true,
    videoPayload: 'length-prefixed',
  });
  builder.push({ trackIndex: 0, dts: 0, pts: 0, duration: 1, isKeyframe: false, data: sample.slice() });
  assert.deepEqual(builder.flush()?.payload, sample);
});
