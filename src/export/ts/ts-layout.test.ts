import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVigilError } from '../../errors.js';
import { planTsLayout } from './ts-layout.js';
import { renderUnit } from './ts-unit.js';
import {
  aacConfig,
  demux,
  PPS,
  readPesHeader,
  renderAllUnits,
  SPS,
  syntheticSelection,
  ulawConfig,
  videoConfig,
  type SyntheticTrack,
} from './ts-test-support.js';

const GOP = 25;
/** 3 s of 25 fps video (sizes from tiny to several packets) and of 48 kHz AAC. */
function tracks(): SyntheticTrack[] {
  return [
    {
      config: videoConfig(),
      sizes: Array.from({ length: 75 }, (_, i) => (i % GOP === 0 ? 5000 + i : 6 + ((i * 97) % 900))),
      sync: Array.from({ length: 75 }, (_, i) => i % GOP === 0),
      durationTicks: 3600,
    },
    { config: aacConfig, sizes: Array.from({ length: 141 }, (_, i) => 20 + ((i * 53) % 400)), durationTicks: 1024 },
  ];
}

test('the prefix sum of unit sizes is the size of what the units generate', () => {
  const { ts, layout } = renderAllUnits(tracks());
  assert.equal(ts.length, layout.sizeBytes);
  assert.equal(layout.sizeBytes % 188, 0);
});

test('packets are 188 bytes on PAT, PMT, video and audio PIDs, with continuous counters', () => {
  const { ts } = renderAllUnits(tracks());
  const pes = demux(ts); // asserts sync bytes, counters and adaptation fields
  assert.deepEqual(
    [...new Set(pes.map((p) => p.pid))].sort((a, b) => a - b),
    [0, 0x100, 0x101, 0x1000],
  );
});

test('PAT and PMT come first and again right before every video keyframe', () => {
  const { ts } = renderAllUnits(tracks());
  const pes = demux(ts);
  assert.deepEqual(
    pes.slice(0, 3).map((p) => p.pid),
    [0, 0x1000, 0x100],
  );
  const video = pes.filter((p) => p.pid === 0x100);
  video.forEach((v, i) => {
    const before = pes.indexOf(v);
    const isKey = i % GOP === 0;
    assert.equal(pes[before - 1]?.pid === 0x1000 && pes[before - 2]?.pid === 0, isKey, `tables before frame ${i}`);
    assert.equal(v.randomAccess, isKey, `random access flag of frame ${i}`);
  });
  assert.equal(pes.filter((p) => p.pid === 0).length, 3);
});

test('every video PES carries a PCR a fixed lead behind its DTS, and the PCR never goes back', () => {
  const { ts } = renderAllUnits(tracks());
  const video = demux(ts).filter((p) => p.pid === 0x100);
  let last = -1;
  video.forEach((v, i) => {
    assert.ok(v.pcr !== undefined, `PCR on frame ${i}`);
    const { dts, pts } = readPesHeader(v.data);
    assert.equal(dts, 126_000 + i * 3600);
    assert.equal(pts, dts);
    assert.equal(v.pcr, dts - 63_000);
    assert.ok(v.pcr > last);
    last = v.pcr;
  });
});

test('video PES hold AUD, parameter sets on keyframes, then the sample with start codes', () => {
  const t = tracks();
  const { ts } = renderAllUnits(t);
  const video = demux(ts).filter((p) => p.pid === 0x100);
  const aud = [0, 0, 0, 1, 0x09, 0xf0];
  const key = Buffer.from([...aud, 0, 0, 0, 1, ...SPS, 0, 0, 0, 1, ...PPS]);
  video.forEach((v, i) => {
    const { payload } = readPesHeader(v.data);
    const prefix = i % GOP === 0 ? key : Buffer.from(aud);
    assert.deepEqual(Buffer.from(payload.subarray(0, prefix.length)), prefix, `prefix of frame ${i}`);
    const sample = payload.subarray(prefix.length);
    assert.equal(sample.length, t[0]!.sizes[i]);
    assert.deepEqual([...sample.subarray(0, 5)], [0, 0, 0, 1, 0x41]);
  });
});

test('AAC frames go out as ADTS, several per PES, timed on the video axis', () => {
  const t = tracks();
  const { ts } = renderAllUnits(t);
  const audio = demux(ts).filter((p) => p.pid === 0x101);
  const sizes: number[] = [];
  let expectedPts = 126_000;
  for (const a of audio) {
    const { pts, payload } = readPesHeader(a.data);
    assert.equal(pts, expectedPts);
    for (let p = 0; p < payload.length;) {
      assert.equal(payload[p], 0xff);
      assert.equal(payload[p + 1], 0xf1);
      // profile LC (1), 48 kHz (index 3), 2 channels
      assert.equal(payload[p + 2], (1 << 6) | (3 << 2));
      const frameLength = ((payload[p + 3]! & 3) << 11) | (payload[p + 4]! << 3) | (payload[p + 5]! >> 5);
      sizes.push(frameLength - 7);
      p += frameLength;
      expectedPts += 1920; // 1024 samples at 48 kHz in 90 kHz ticks
    }
  }
  assert.deepEqual(sizes, t[1]!.sizes);
  assert.ok(audio.length < sizes.length, 'frames share PES');
});

test('audio starts where its presentation start lines up with the video`s', () => {
  const t = tracks();
  // The shown frame is 10 frames after the keyframe; audio's first frame starts 480 ticks before it.
  t[0]!.presentationStartTicks = 36_000;
  t[1]!.presentationStartTicks = 480;
  const { ts } = renderAllUnits(t);
  const pes = demux(ts);
  const firstAudio = readPesHeader(pes.find((p) => p.pid === 0x101)!.data);
  assert.equal(firstAudio.pts, 126_000 + 36_000 - 900);
});

test('G.711 tracks are left out and named', () => {
  const t = tracks();
  t[1] = { config: ulawConfig, sizes: [160, 160], durationTicks: 160 };
  const { selection } = syntheticSelection(t);
  const layout = planTsLayout(selection);
  assert.equal(layout.tracks.length, 1);
  assert.match(layout.leftOut.join(), /track 3 \(ulaw\): G\.711/);
});

test('a selection with only G.711 cannot be a TS', () => {
  const { selection } = syntheticSelection([{ config: ulawConfig, sizes: [160], durationTicks: 160 }]);
  assert.throws(
    () => planTsLayout(selection),
    (e) => isVigilError(e, 'NOT_IMPLEMENTED'),
  );
});

test('2-byte NAL lengths are refused, 3-byte ones framed in place', () => {
  const two = syntheticSelection([{ config: videoConfig(2), sizes: [100], durationTicks: 3600 }]);
  assert.throws(() => planTsLayout(two.selection), /NAL length fields of 3 or 4 bytes/);
  const three = syntheticSelection([{ config: videoConfig(3), sizes: [100], durationTicks: 3600 }]);
  const layout = planTsLayout(three.selection);
  // Rewrite the 4-byte-length fixture sample as one 3-byte-length NAL of 97 bytes.
  const sample = three.file.slice(0, 100);
  sample.set([0, 0, 97], 0);
  const unit = renderUnit(layout, 0, [sample]);
  const { payload } = readPesHeader(demux(unit.bytes).find((p) => p.pid === 0x100)!.data);
  assert.deepEqual([...payload.subarray(payload.length - 100, payload.length - 96)], [0, 0, 1, sample[3]]);
});

test('an access unit delimiter inside the sample is replaced, keeping the size', () => {
  const { selection } = syntheticSelection([{ config: videoConfig(), sizes: [20], durationTicks: 3600 }]);
  const layout = planTsLayout(selection);
  const sample = Uint8Array.from([0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 10, 0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const unit = renderUnit(layout, 0, [sample]);
  const { payload } = readPesHeader(demux(unit.bytes).find((p) => p.pid === 0x100)!.data);
  const afterPrefix = payload.subarray(payload.length - 20);
  assert.deepEqual([...afterPrefix], [0, 0, 0, 1, 0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0]);
});

test('without video, the AAC PID carries the PCR and the tables come first', () => {
  const { ts, layout } = renderAllUnits([tracks()[1]!]);
  assert.equal(layout.pcrPid, 0x101);
  const pes = demux(ts);
  assert.deepEqual(
    pes.slice(0, 2).map((p) => p.pid),
    [0, 0x1000],
  );
  assert.ok(pes.filter((p) => p.pid === 0x101).every((p) => p.pcr !== undefined));
});
