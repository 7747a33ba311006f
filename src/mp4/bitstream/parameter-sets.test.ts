/** SPS parsing and decoder-configuration building, checked against streams Debian's ffmpeg encodes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { annexBToLengthPrefixed, splitAnnexB } from './annex-b.js';
import { AVC_NAL_SPS, avcNalType, parseAvcSps, readAvcDecoderConfig } from './avc.js';
import { HEVC_NAL_SPS, hevcNalType, parseHevcSps, readHevcDecoderConfig } from './hevc.js';
import { toVideoDecoderConfig } from './video-config.js';
import { codecString } from '../codec-string.js';

/** One encoded frame as an Annex B elementary stream. */
function encode(codec: 'h264' | 'hevc', size: string, extra: string[]): Uint8Array {
  const args = ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-frames:v', '1'];
  const encoder = codec === 'h264' ? ['-c:v', 'libx264'] : ['-c:v', 'libx265', '-x265-params', 'log-level=error'];
  const r = spawnSync('ffmpeg', [...args, ...encoder, ...extra, '-f', codec, '-'], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

describe('parseAvcSps', () => {
  const cases: Array<[string, string, string[], { profileIdc: number; width: number; height: number }]> = [
    ['baseline, no cropping', '320x240', ['-profile:v', 'baseline'], { profileIdc: 66, width: 320, height: 240 }],
    ['high, 1080p cropped from 1088', '1920x1080', [], { profileIdc: 100, width: 1920, height: 1080 }],
    ['high, cropped on both axes', '318x178', [], { profileIdc: 100, width: 318, height: 178 }],
    [
      'high with custom scaling lists',
      '318x178',
      ['-x264-params', 'cqm=jvt'],
      { profileIdc: 100, width: 318, height: 178 },
    ],
    ['high 10', '318x178', ['-pix_fmt', 'yuv420p10le'], { profileIdc: 110, width: 318, height: 178 }],
    [
      'high 4:4:4, crop unit of one sample',
      '318x178',
      ['-pix_fmt', 'yuv444p'],
      { profileIdc: 244, width: 318, height: 178 },
    ],
    [
      'interlaced (field macroblock pairs)',
      '318x180',
      ['-x264-params', 'interlaced=1'],
      { profileIdc: 100, width: 318, height: 180 },
    ],
  ];
  for (const [name, size, extra, expected] of cases) {
    it(`reads ${name}`, () => {
      const sps = splitAnnexB(encode('h264', size, extra)).find((u) => avcNalType(u) === AVC_NAL_SPS)!;
      const info = parseAvcSps(sps);
      assert.deepEqual({ profileIdc: info.profileIdc, width: info.width, height: info.height }, expected);
    });
  }
});

describe('SPS reorder hints', () => {
  it('reads the frame rate and a reorder depth of 2 from an x264 stream with 3 B-frames (pyramid)', () => {
    const sps = splitAnnexB(encode('h264', '320x240', ['-bf', '3'])).find((u) => avcNalType(u) === AVC_NAL_SPS)!;
    const { timing, maxNumReorderFrames } = parseAvcSps(sps);
    assert.equal(timing && timing.timeScale / (2 * timing.numUnitsInTick), 25);
    assert.equal(maxNumReorderFrames, 2);
  });

  it('reads no reordering from an x264 stream without B-frames', () => {
    const sps = splitAnnexB(encode('h264', '320x240', ['-bf', '0'])).find((u) => avcNalType(u) === AVC_NAL_SPS)!;
    assert.equal(parseAvcSps(sps).maxNumReorderFrames, 0);
  });

  it('reads sps_max_num_reorder_pics from an x265 stream', () => {
    const sps = splitAnnexB(encode('hevc', '320x240', [])).find((u) => hevcNalType(u) === HEVC_NAL_SPS)!;
    assert.ok((parseHevcSps(sps).maxNumReorderPics ?? -1) >= 1);
  });
});

describe('parseHevcSps', () => {
  const cases: Array<[string, string, string[], { profileIdc: number; width: number; height: number }]> = [
    ['main', '320x240', [], { profileIdc: 1, width: 320, height: 240 }],
    ['main, 1080p with a conformance window', '1920x1080', [], { profileIdc: 1, width: 1920, height: 1080 }],
    ['main 10, odd size', '318x178', ['-pix_fmt', 'yuv420p10le'], { profileIdc: 2, width: 318, height: 178 }],
  ];
  for (const [name, size, extra, expected] of cases) {
    it(`reads ${name}`, () => {
      const sps = splitAnnexB(encode('hevc', size, extra)).find((u) => hevcNalType(u) === HEVC_NAL_SPS)!;
      const info = parseHevcSps(sps);
      assert.deepEqual({ profileIdc: info.profileIdc, width: info.width, height: info.height }, expected);
    });
  }
});

describe('toVideoDecoderConfig', () => {
  const h264 = encode('h264', '320x240', []);
  const hevc = encode('hevc', '320x240', []);

  it('builds avcC from Annex B extradata and accepts the record it built', () => {
    const fromAnnexB = toVideoDecoderConfig('h264', h264)!;
    assert.deepEqual([fromAnnexB.width, fromAnnexB.height], [320, 240]);
    assert.equal(readAvcDecoderConfig(fromAnnexB.decoderConfig).pps.length, 1);
    assert.match(
      codecString({
        kind: 'video',
        trackId: 1,
        timescale: 1,
        codec: 'avc1',
        width: 320,
        height: 240,
        decoderConfig: fromAnnexB.decoderConfig,
      }),
      /^avc1\.64000d$/,
    );
    assert.deepEqual(toVideoDecoderConfig('h264', fromAnnexB.decoderConfig), fromAnnexB);
  });

  it('finds the parameter sets in a length-prefixed first keyframe when there is no extradata', () => {
    const found = toVideoDecoderConfig('h264', undefined, annexBToLengthPrefixed(h264));
    assert.deepEqual(found, toVideoDecoderConfig('h264', h264));
  });

  it('builds hvcC with VPS, SPS and PPS, and names it hvc1.1.6.L60.90 (Main, level 2, progressive and frame-only)', () => {
    const found = toVideoDecoderConfig('hevc', new Uint8Array(0), hevc)!;
    assert.deepEqual([found.width, found.height], [320, 240]);
    const record = readHevcDecoderConfig(found.decoderConfig);
    assert.deepEqual([record.vps.length, record.sps.length, record.pps.length], [1, 1, 1]);
    const name = codecString({
      kind: 'video',
      trackId: 1,
      timescale: 1,
      codec: 'hvc1',
      width: 320,
      height: 240,
      decoderConfig: found.decoderConfig,
    });
    assert.match(name, /^hvc1\.1\.6\.L60\.90$/);
    assert.deepEqual(toVideoDecoderConfig('hevc', found.decoderConfig), found);
  });

  it('gives undefined when there are no parameter sets anywhere', () => {
    const slicesOnly = new Uint8Array([0, 0, 0, 1, 101, 136, 132, 0]);
    assert.equal(toVideoDecoderConfig('h264', undefined, slicesOnly), undefined);
    assert.equal(toVideoDecoderConfig('hevc', undefined, undefined), undefined);
  });
});
