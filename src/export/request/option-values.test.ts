import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_TIMELAPSE_FACTOR,
  parseAudio,
  parseResolution,
  parseTimelapse,
  parseVideoCodec,
  parseWatermarkAlign,
  snapVideoBitrate,
} from './option-values.js';
import { assertRefused } from './testing.js';

test('video codec names are compared without case; anything else, the empty name included, is stream copy', () => {
  const cases: Array<[unknown, string | null]> = [
    ['h264', 'h264'],
    ['H264', 'h264'],
    [' H265 ', 'h265'],
    ['MPEG4', 'mpeg4'],
    ['Wmv', 'wmv'],
    ['', null],
    ['copy', null],
    ['vp9', null],
    ['hevc', null],
    [undefined, null],
    [null, null],
  ];
  for (const [input, expected] of cases) assert.equal(parseVideoCodec(input), expected, String(input));
});

test('a video codec that is not a string is refused', () => {
  assertRefused(() => parseVideoCodec(264), 'options.video_codec', [/expected a string, got 264/]);
});

test('video bitrate snaps to the nearest supported value not higher than asked', () => {
  const cases: Array<[unknown, number | undefined]> = [
    [999, 800],
    [800, 800],
    [1000, 1000],
    [1999, 1000],
    [2499.9, 2000],
    [2500, 2500],
    [7499, 5000],
    [15999, 10000],
    [16000, 16000],
    [100000, 16000],
    [200, 200],
    [199, 200],
    [0, 200],
    [-500, 200],
    ['999', 800],
    [undefined, undefined],
    [null, undefined],
  ];
  for (const [input, expected] of cases) assert.equal(snapVideoBitrate(input), expected, String(input));
});

test('a video bitrate that is not a number is refused', () => {
  for (const input of ['fast', '2M', true, Number.NaN, Number.POSITIVE_INFINITY]) {
    assertRefused(() => snapVideoBitrate(input), 'options.video_bitrate', [/kbit\/s/]);
  }
});

test('resolutions come from the reference list; its 1280x1960 typo means 1280x960', () => {
  const cases: Array<[unknown, { width: number; height: number } | undefined]> = [
    ['1920x1080', { width: 1920, height: 1080 }],
    ['1280X720', { width: 1280, height: 720 }],
    ['176x144', { width: 176, height: 144 }],
    ['2560x1920', { width: 2560, height: 1920 }],
    ['1280x960', { width: 1280, height: 960 }],
    ['1280x1960', { width: 1280, height: 960 }],
    ['', undefined],
    ['  ', undefined],
    [undefined, undefined],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseResolution(input), expected, String(input));
});

test('any other resolution is refused with the allowed list', () => {
  for (const input of ['1921x1080', '3840x2160', '1080p', 'x', 1080]) {
    assertRefused(() => parseResolution(input), 'options.video_resolution', []);
  }
  assertRefused(() => parseResolution('3840x2160'), 'options.video_resolution', [/"3840x2160"/, /1280x960/, /empty/]);
});

test('audio: "no audio" drops, pcm/wma/aac convert, anything else copies; bitrate > 96 → 128, else 64', () => {
  const cases: Array<[unknown, unknown, object]> = [
    ['no audio', undefined, { mode: 'drop' }],
    ['No  Audio', 128, { mode: 'drop' }],
    ['PCM', undefined, { mode: 'pcm' }],
    ['pcm', 128, { mode: 'pcm' }],
    ['wma', 97, { mode: 'wma', bitrateKbps: 128 }],
    ['WMA', 96, { mode: 'wma', bitrateKbps: 64 }],
    ['aac', 320, { mode: 'aac', bitrateKbps: 128 }],
    ['aac', -5, { mode: 'aac', bitrateKbps: 64 }],
    ['aac', '100', { mode: 'aac', bitrateKbps: 128 }],
    ['aac', undefined, { mode: 'aac' }],
    ['', 128, { mode: 'copy' }],
    ['opus', undefined, { mode: 'copy' }],
    [undefined, 128, { mode: 'copy' }],
  ];
  for (const [codec, bitrate, expected] of cases) {
    assert.deepEqual(parseAudio(codec, bitrate), expected, `${String(codec)} ${String(bitrate)}`);
  }
  assertRefused(() => parseAudio('aac', 'loud'), 'options.audio_bitrate', [/"loud"/, /64 or 128/]);
  assertRefused(() => parseAudio(['aac'], undefined), 'options.audio_codec');
});

test('watermark align 0 and 1 are top left, 2-4 the other corners; anything else is refused', () => {
  const cases: Array<[unknown, number]> = [
    [undefined, 1],
    [0, 1],
    [1, 1],
    [2, 2],
    ['3', 3],
    [4, 4],
  ];
  for (const [input, expected] of cases) assert.equal(parseWatermarkAlign(input), expected, String(input));
  for (const input of [5, -1, 1.5, 'top']) {
    assertRefused(() => parseWatermarkAlign(input), 'options.watermark_align', [/bottom right/]);
  }
});

test('timelapse is a speed factor from 1 to the upper bound; 1 is no timelapse', () => {
  const cases: Array<[unknown, number | undefined]> = [
    [25, 25],
    ['60', 60],
    [1.5, 1.5],
    [MAX_TIMELAPSE_FACTOR, MAX_TIMELAPSE_FACTOR],
    [1, undefined],
    [undefined, undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parseTimelapse(input), expected, String(input));
  for (const input of [0, -25, 0.5, MAX_TIMELAPSE_FACTOR + 1, 'fast']) {
    assertRefused(() => parseTimelapse(input), 'options.timelapse', [/speed factor from 1 to 3600/]);
  }
});
