import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVigilError } from '../../errors.js';
import { buildTranscodePlan } from './transcode-plan.js';
import type { TranscodeInputInfo, TranscodeOptions } from './types.js';

const FONT = '/opt/vigil/assets/fonts/DejaVuSans.ttf';
const input1080: TranscodeInputInfo = { width: 1920, height: 1080, fps: 25, hasAudio: true, durationS: 60 };
const base: TranscodeOptions = { videoCodec: 'h264', audio: { mode: 'drop' }, container: 'mp4' };
const plan = (options: Partial<TranscodeOptions>, input: Partial<TranscodeInputInfo> = {}) =>
  buildTranscodePlan({ ...base, ...options }, { ...input1080, ...input }, { fontFile: FONT });

describe('buildTranscodePlan', () => {
  it('scales 1080p to 720p for libx264 in MP4, with a 2 s GOP and the asked bitrate', () => {
    const p = plan({ width: 1280, height: 720, videoBitrateKbps: 2000 });
    assert.equal(p.videoFilter, 'scale=1280:720,format=yuv420p');
    assert.deepEqual(p.video, {
      encoder: 'libx264',
      options: { preset: 'veryfast', g: '50', b: '2000k' },
      fps: 25,
      width: 1280,
      height: 720,
    });
    assert.deepEqual(p.muxer, { format: 'mp4', options: { movflags: '+faststart' } });
    assert.equal(p.audio, undefined);
    assert.equal(p.keyframesOnly, false);
    assert.equal(p.outputDurationS, 60);
  });

  it('keeps the source size and bitrate when none is asked', () => {
    const p = plan({}, { videoBitrateKbps: 4000 });
    assert.equal(p.videoFilter, 'format=yuv420p');
    assert.equal(p.video.options.b, '4000k');
    assert.equal(plan({}, { videoBitrateKbps: 5 }).video.options.b, '200k', 'a still source: never below 200k');
  });

  it('derives the missing dimension from the aspect, even', () => {
    assert.equal(plan({ width: 640 }).videoFilter, 'scale=640:360,format=yuv420p');
    assert.equal(plan({ height: 240 }).videoFilter, 'scale=426:240,format=yuv420p');
  });

  const orientationCases: Array<[TranscodeOptions['flip'], TranscodeOptions['rotate'], string]> = [
    ['h', 0, 'hflip'],
    ['v', 0, 'vflip'],
    ['both', 0, 'hflip,vflip'],
    ['none', 180, 'hflip,vflip'],
    ['both', 180, ''],
    ['none', 90, 'transpose=clock'],
    ['h', 90, 'transpose=clock_flip'],
    ['v', 90, 'transpose=cclock_flip'],
    ['none', 270, 'transpose=cclock'],
  ];
  for (const [flip, rotate, expected] of orientationCases) {
    it(`turns flip ${flip} + rotate ${rotate} into "${expected}"`, () => {
      const p = plan({ flip, rotate });
      assert.equal(p.videoFilter, expected === '' ? 'format=yuv420p' : `${expected},format=yuv420p`);
    });
  }

  it('scales before a quarter turn to the size that becomes the asked one', () => {
    const p = plan({ rotate: 90, width: 720, height: 1280 });
    assert.equal(p.videoFilter, 'scale=1280:720,transpose=clock,format=yuv420p');
    assert.equal(p.video.width, 720);
  });

  it('draws figures in pixels of the scaled picture, each enabled over its time', () => {
    const p = plan({ width: 1280, height: 720, figures: [{ x: 0.25, y: 0.5, w: 0.5, h: 0.25, startS: 1.5, endS: 4 }] });
    assert.equal(
      p.videoFilter,
      "scale=1280:720,drawbox=x=320:y=360:w=640:h=180:color=red:t=4:enable='between(t,1.5,4)',format=yuv420p",
    );
  });

  it('writes the channel name as literal text, escaped for both parser levels', () => {
    const p = plan({ width: 1280, height: 720, channelNameWatermark: "Gate: 1, 'north'" });
    assert.equal(
      p.videoFilter,
      'scale=1280:720,drawtext=fontfile=/opt/vigil/assets/fonts/DejaVuSans.ttf:fontsize=30:fontcolor=white:box=1:' +
        "boxcolor=black@0.5:boxborderw=6:x=15:y=21:expansion=none:text='Gate\\: 1, \\'\\''north\\'\\''',format=yuv420p",
    );
  });

  it('puts name and clock bottom-right, the clock as pts + the piece offset in the zone', () => {
    const p = plan({
      channelNameWatermark: 'cam',
      // 2026-01-10 12:00:00 UTC = 13:00 in Berlin (UTC+1).
      timestampWatermark: {
        timeZone: 'Europe/Berlin',
        pieces: [{ outputStartS: 0, utcStartMs: Date.UTC(2026, 0, 10, 12) }],
      },
      watermarkAlign: 4,
    });
    const style =
      'fontfile=/opt/vigil/assets/fonts/DejaVuSans.ttf:fontsize=45:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=9';
    assert.equal(
      p.videoFilter,
      `drawtext=${style}:x=w-tw-23:y=h-150:expansion=none:text=cam,` +
        `drawtext=${style}:x=w-tw-23:y=h-82:text='%{pts\\:gmtime\\:1768050000\\:%Y-%m-%d %H\\\\\\:%M\\\\\\:%S}',` +
        'format=yuv420p',
    );
  });

  it('timelapse: picks one frame per output slot, retimes, drops audio, halves the bitrate, decodes keyframes only when a GOP fits a slot', () => {
    const p = plan({ timelapse: 60, videoBitrateKbps: 2000, audio: { mode: 'aac' } }, { keyframeIntervalFrames: 50 });
    assert.equal(
      p.videoFilter,
      "select=expr='isnan(prev_selected_t)+gt(floor((t+0.02)/2.4),floor((prev_selected_t+0.02)/2.4))',setpts=N/(25*TB),format=yuv420p",
    );
    assert.equal(p.keyframesOnly, true);
    assert.equal(p.audio, undefined);
    assert.equal(p.video.options.b, '1000k');
    assert.equal(p.outputDurationS, 1);
    assert.equal(plan({ timelapse: 25 }, { keyframeIntervalFrames: 50 }).keyframesOnly, false);
    assert.equal(plan({ timelapse: 600 }).keyframesOnly, false, 'unknown GOP: decode everything');
  });

  it('encodes audio through aformat, copies it, or leaves it out', () => {
    assert.deepEqual(plan({ audio: { mode: 'aac', bitrateKbps: 64 } }).audio, {
      kind: 'encode',
      filter: 'aformat=sample_fmts=fltp',
      encoder: 'aac',
      options: { b: '64k' },
    });
    assert.deepEqual(plan({ audio: { mode: 'pcm' }, container: 'mkv' }).audio, {
      kind: 'encode',
      filter: 'aformat=sample_fmts=s16',
      encoder: 'pcm_s16le',
      options: {},
    });
    assert.deepEqual(plan({ audio: { mode: 'copy' } }).audio, { kind: 'copy' });
    assert.equal(plan({ audio: { mode: 'aac' } }, { hasAudio: false }).audio, undefined);
  });

  it('gives AVI a constant frame rate and WMV2 + WMA', () => {
    const p = plan({ videoCodec: 'wmv', container: 'avi', audio: { mode: 'wma' } }, { audioBitrateKbps: 96 });
    assert.equal(p.videoFilter, 'fps=25,format=yuv420p');
    assert.equal(p.video.encoder, 'wmv2');
    assert.deepEqual(p.muxer, { format: 'avi', options: {} });
    assert.equal(p.audio?.kind === 'encode' ? p.audio.options.b : undefined, '96k');
  });

  it('tags H.265 in MP4 as hvc1', () => {
    const p = plan({ videoCodec: 'h265' });
    assert.equal(p.video.encoder, 'libx265');
    assert.equal(p.video.codecTag, 'hvc1');
    assert.equal(plan({ videoCodec: 'h265', container: 'mkv' }).video.codecTag, undefined);
  });

  const refusals: Array<[string, Partial<TranscodeOptions>, string]> = [
    ['WMV in MP4', { videoCodec: 'wmv' }, 'options.videoCodec'],
    ['PCM in TS', { container: 'ts', audio: { mode: 'pcm' } }, 'options.audio.mode'],
    ['an odd width', { width: 641 }, 'options.width'],
    ['a timelapse below 1', { timelapse: 0.5 }, 'options.timelapse'],
    [
      'a figure outside the picture',
      { figures: [{ x: 1.5, y: 0, w: 0.1, h: 0.1, startS: 0, endS: 1 }] },
      'options.figures[0]',
    ],
    [
      'an unknown zone',
      { timestampWatermark: { timeZone: 'Mars/Olympus', pieces: [{ outputStartS: 0, utcStartMs: 0 }] } },
      'options.timestampWatermark.timeZone',
    ],
    [
      'unordered pieces',
      {
        timestampWatermark: {
          timeZone: 'UTC',
          pieces: [
            { outputStartS: 5, utcStartMs: 0 },
            { outputStartS: 1, utcStartMs: 0 },
          ],
        },
      },
      'options.timestampWatermark.pieces',
    ],
    ['a negative bitrate', { videoBitrateKbps: -5 }, 'options.videoBitrateKbps'],
  ];
  for (const [name, options, field] of refusals) {
    it(`refuses ${name}, naming ${field}`, () => {
      assert.throws(
        () => plan(options),
        (err) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === field,
      );
    });
  }
});
