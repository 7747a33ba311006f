import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import {
  checkCombination,
  completeConfig,
  resolveValues,
  sanitizeSource,
  validateParameters,
  type PublisherParameters,
} from './parameters.js';

/** Asserts `fn` throws a VigilError with `code` on `field` whose message matches `message`. */
function assertRefused(fn: () => unknown, code: string, field: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isVigilError(err), `a VigilError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.field, field);
    assert.match(err.message, message);
    return true;
  });
}

describe('validateParameters: refusals name the parameter and what is allowed', () => {
  const cases: Array<[string, object, string, string, RegExp]> = [
    [
      'an unknown name',
      { bitrate: 100 },
      'UNKNOWN_FIELD',
      'bitrate',
      /^bitrate: unknown parameter; use one of .*bitRate/,
    ],
    ['maxBframe 17', { maxBframe: 17 }, 'INVALID_ARGUMENT', 'maxBframe', /expected an integer from 0 to 16, got 17/],
    [
      'frameRate [0, 1]',
      { frameRate: [0, 1] },
      'INVALID_ARGUMENT',
      'frameRate',
      /\[0,1\] is not a frame rate; give \[numerator, denominator\]/,
    ],
    ['frameRate as a number', { frameRate: 25 }, 'INVALID_ARGUMENT', 'frameRate', /expected \[num, den\], got 25/],
    [
      'an odd width',
      { width: 641 },
      'INVALID_ARGUMENT',
      'width',
      /641 is odd; the encoded picture \(yuv420p\) needs an even size/,
    ],
    ['a fractional height', { height: 240.5 }, 'INVALID_ARGUMENT', 'height', /integer from 2 to 8192, got 240.5/],
    [
      'an unknown codec',
      { codecName: 'libvpx' },
      'INVALID_ARGUMENT',
      'codecName',
      /"libvpx" is not allowed; use one of libx264, libx265, mpeg4/,
    ],
    [
      'a pixel format',
      { pixelFormat: 'nv12' },
      'INVALID_ARGUMENT',
      'pixelFormat',
      /use one of rgb24, rgba, bgr24, yuv420p/,
    ],
    ['a negative bit rate', { bitRate: -1 }, 'INVALID_ARGUMENT', 'bitRate', /kbit\/s from 0 \(constant quality\)/],
    ['GOPSize 0', { GOPSize: 0 }, 'INVALID_ARGUMENT', 'GOPSize', /from 1 to 10000, got 0/],
    [
      'an address without a format',
      { address: '/tmp/out.avi' },
      'INVALID_ARGUMENT',
      'address',
      /no known extension; use rtmp:/,
    ],
    [
      'an http address',
      { address: 'http://x/y.mp4' },
      'INVALID_ARGUMENT',
      'address',
      /scheme "http" cannot be published to/,
    ],
    ['a read-only value', { waitRef: 1 }, 'INVALID_ARGUMENT', 'waitRef', /read-only/],
    ['hlsTime 0', { hlsTime: 0 }, 'INVALID_ARGUMENT', 'hlsTime', /seconds from 0.1 to 60, got 0/],
    ['hlsPlaylist vod', { hlsPlaylist: 'vod' }, 'INVALID_ARGUMENT', 'hlsPlaylist', /use one of live, event/],
    ['timeoutMs 0', { timeoutMs: 0 }, 'INVALID_ARGUMENT', 'timeoutMs', /milliseconds from 100 to 600000.*got 0/],
    ['timeoutMs in seconds', { timeoutMs: '10s' }, 'INVALID_ARGUMENT', 'timeoutMs', /got "10s"/],
  ];
  for (const [name, input, code, field, message] of cases) {
    it(`refuses ${name}`, () => assertRefused(() => validateParameters(input), code, field, message));
  }

  it('keeps good values and skips undefined ones', () => {
    assert.deepEqual(validateParameters({ width: 320, frameRate: [30000, 1001], maxBframe: 16, nthread: undefined }), {
      width: 320,
      frameRate: [30000, 1001],
      maxBframe: 16,
    });
  });
});

describe('resolveValues: explicit, then source, then defaults', () => {
  it('derives GOP, frameAhead and source sizes from what is set', () => {
    const values = resolveValues({ widthSrc: 640, heightSrc: 360, frameRate: [30, 1] }, {});
    assert.equal(values.width, 640);
    assert.equal(values.height, 360);
    assert.equal(values.GOPSize, 60, 'two seconds of frames (hlsTime)');
    assert.equal(values.frameAhead, 60, 'one GOP');
    assert.equal(values.codecName, 'libx264');
    assert.equal(values.bitRate, 0);
    assert.equal(values.timeoutMs, 10_000, 'a frozen server is noticed after 10 s');
    assert.equal(values.formatName, undefined);
  });

  it('lets explicit values win over a source whichever came first', () => {
    const source = sanitizeSource({ width: 1920, height: 1080, frameRate: [50, 1], bitRate: 4000 });
    const values = resolveValues({ width: 1280, bitRate: 800 }, source);
    assert.deepEqual([values.width, values.height, values.frameRate, values.bitRate], [1280, 1080, [50, 1], 800]);
    assert.equal(values.GOPSize, 100);
  });

  it('drops source values that no parameter accepts', () => {
    assert.deepEqual(sanitizeSource({ width: 641, height: 360, frameRate: [0, 0] }), { height: 360 });
  });

  it('guesses formatName from the address', () => {
    const names = ['a.mp4', 'a.mkv', 'a.ts', 'rtmp://h/live/a', 'rtsp://h/a', '/x/live.m3u8', 'file:///x/a.MP4'].map(
      (address) => resolveValues({ address }, {}).formatName,
    );
    assert.deepEqual(names, ['mp4', 'matroska', 'mpegts', 'flv', 'rtsp', 'hls', 'mp4']);
  });
});

describe('checkCombination and completeConfig', () => {
  const check = (params: PublisherParameters, changed: string[]): void =>
    checkCombination(resolveValues(params, {}), changed);

  it('refuses an odd source width for yuv420p, naming the key just set', () => {
    assertRefused(
      () => check({ width: 320, height: 240, widthSrc: 321, pixelFormat: 'yuv420p' }, ['widthSrc']),
      'INVALID_ARGUMENT',
      'widthSrc',
      /widthSrc 321 is odd; yuv420p frames need an even width/,
    );
    assertRefused(
      () => check({ width: 320, height: 240, heightSrc: 241, pixelFormat: 'yuv420p' }, ['pixelFormat']),
      'INVALID_ARGUMENT',
      'pixelFormat',
      /heightSrc 241 is odd/,
    );
    check({ width: 320, height: 240, widthSrc: 321 }, ['widthSrc']);
  });

  it('names the first missing parameter', () => {
    assertRefused(() => completeConfig(resolveValues({ width: 320 }, {})), 'INVALID_ARGUMENT', 'address', /not set/);
    assertRefused(
      () => completeConfig(resolveValues({ address: 'a.mp4', width: 320 }, {})),
      'INVALID_ARGUMENT',
      'height',
      /height: not set; set height \(or heightSrc/,
    );
    const config = completeConfig(resolveValues({ address: 'a.mkv', width: 320, height: 240 }, {}));
    assert.deepEqual([config.widthSrc, config.heightSrc, config.target.kind], [320, 240, 'file']);
  });
});
