import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAudioSpecificConfig } from './bitstream/aac.js';
import { ByteWriter } from './byte-writer.js';
import { codecString } from './codec-string.js';
import { buildInitSegment, readInitSegment, readTrackDefaults } from './init-segment.js';
import { scanBoxes } from './scan.js';
import type { TrackConfig } from './types.js';

/** An hvcC for Main profile, level 3.1, with the usual compatibility flags 1 and 2 and progressive-source constraint. */
function sampleHvcc(): Uint8Array {
  const w = new ByteWriter();
  w.u8(1);
  w.u8(1); // profile space 0, tier 0, profile 1
  w.u32(1610612736); // compatibility flags 1 and 2 (bits 30 and 29)
  w.bytes(new Uint8Array([176, 0, 0, 0, 0, 0]));
  w.u8(93);
  w.zeros(9);
  w.u8(0); // no arrays
  return w.finish();
}

const avc: TrackConfig = {
  kind: 'video',
  trackId: 1,
  timescale: 90000,
  codec: 'avc1',
  width: 1920,
  height: 1080,
  decoderConfig: new Uint8Array([1, 100, 0, 40, 255, 224, 0]),
};
const hevc: TrackConfig = { ...avc, trackId: 3, codec: 'hvc1', width: 640, height: 360, decoderConfig: sampleHvcc() };
const aac: TrackConfig = {
  kind: 'audio',
  trackId: 2,
  timescale: 48000,
  codec: 'mp4a',
  sampleRate: 48000,
  channelCount: 2,
  decoderConfig: buildAudioSpecificConfig({ sampleRate: 48000, channelCount: 2 }),
};
const ulaw: TrackConfig = {
  kind: 'audio',
  trackId: 4,
  timescale: 8000,
  codec: 'ulaw',
  sampleRate: 8000,
  channelCount: 1,
  decoderConfig: new Uint8Array(0),
};
const alaw: TrackConfig = { ...ulaw, trackId: 5, codec: 'alaw' };

describe('buildInitSegment / readInitSegment', () => {
  const cases: Array<[string, TrackConfig[]]> = [
    ['H.264 and AAC', [avc, aac]],
    ['H.265 alone', [hevc]],
    ['hev1 with G.711 µ-law', [{ ...hevc, codec: 'hev1' }, ulaw]],
    ['G.711 A-law alone', [alaw]],
    [
      'AAC at 96 kHz (past 16.16) in 5.1',
      [
        {
          ...aac,
          sampleRate: 96000,
          timescale: 96000,
          channelCount: 6,
          decoderConfig: buildAudioSpecificConfig({ sampleRate: 96000, channelCount: 6 }),
        },
      ],
    ],
  ];
  for (const [name, tracks] of cases) {
    it(`round-trips ${name}`, () => {
      assert.deepEqual(readInitSegment(buildInitSegment(tracks)), tracks);
    });
  }

  it('lays out ftyp then moov, with a trex per track', () => {
    const init = buildInitSegment([avc, aac], { creationTimeUs: Date.UTC(2024, 0, 1) * 1000 });
    assert.deepEqual(
      scanBoxes(init).map((b) => b.type),
      ['ftyp', 'moov'],
    );
    assert.equal(Buffer.from(init.subarray(8, 12)).toString('latin1'), 'iso6');
    assert.deepEqual(
      readTrackDefaults(init).map((d) => [d.trackId, d.defaultSampleDescriptionIndex]),
      [
        [1, 1],
        [2, 1],
      ],
    );
  });

  it('is reproducible when no creation time is given', () => {
    assert.deepEqual(buildInitSegment([avc]), buildInitSegment([avc]));
  });

  it('refuses an empty track list, and a buffer without a moov', () => {
    assert.throws(() => buildInitSegment([]), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => readInitSegment(new Uint8Array([0, 0, 0, 8, 102, 114, 101, 101])), { code: 'MEDIA_INVALID' });
  });
});

describe('codecString', () => {
  const cases: Array<[TrackConfig, string]> = [
    [avc, 'avc1.640028'],
    [{ ...avc, decoderConfig: new Uint8Array([1, 66, 192, 31]) }, 'avc1.42c01f'],
    [hevc, 'hvc1.1.6.L93.B0'],
    [{ ...hevc, codec: 'hev1' }, 'hev1.1.6.L93.B0'],
    [aac, 'mp4a.40.2'],
    [
      { ...aac, decoderConfig: buildAudioSpecificConfig({ sampleRate: 24000, channelCount: 2, objectType: 5 }) },
      'mp4a.40.5',
    ],
    [ulaw, 'ulaw'],
    [alaw, 'alaw'],
  ];
  for (const [track, expected] of cases) {
    it(`names ${expected}`, () => assert.equal(codecString(track), expected));
  }
});
