import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVigilError } from '../../errors.js';
import { buildTranscodePlan, VIDEO_COPY } from './transcode-plan.js';
import type { TranscodeInputInfo, TranscodeOptions } from './types.js';

const input: TranscodeInputInfo = { codec: 'h264', width: 1920, height: 1080, fps: 25, hasAudio: true, durationS: 60 };
const copy: TranscodeOptions = { videoCodec: 'copy', audio: { mode: 'aac' }, container: 'mkv' };
const plan = (options: Partial<TranscodeOptions>, info: Partial<TranscodeInputInfo> = {}) =>
  buildTranscodePlan({ ...copy, ...options }, { ...input, ...info }, { fontFile: '/f.ttf' });

function refused(options: Partial<TranscodeOptions>, field: string, pattern: RegExp): void {
  assert.throws(
    () => plan(options),
    (err: unknown) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === field && pattern.test(err.message),
  );
}

describe('buildTranscodePlan: stream copy', () => {
  it('copies the video and still converts the audio', () => {
    const p = plan({});
    assert.equal(p.video.encoder, VIDEO_COPY);
    assert.equal(p.videoFilter, '');
    assert.deepEqual(p.audio, {
      kind: 'encode',
      filter: 'aformat=sample_fmts=fltp',
      encoder: 'aac',
      options: { b: '128k' },
    });
    assert.equal(p.outputDurationS, 60);
    assert.equal(plan({ container: 'mp4' }, { codec: 'hevc' }).video.codecTag, 'hvc1');
  });

  it('refuses a copy into AVI and every picture option, naming the field', () => {
    refused({ container: 'avi' }, 'options.videoCodec', /AVI needs constant-rate frames/);
    refused({ width: 640 }, 'options.width', /videoCodec is copy/);
    refused({ timelapse: 10 }, 'options.timelapse', /videoCodec is copy/);
    refused({ flip: 'h' }, 'options.flip', /videoCodec is copy/);
    refused({ channelNameWatermark: 'Gate' }, 'options.channelNameWatermark', /videoCodec is copy/);
    refused({ customArgs: [{ option: '-crf', value: '20' }] }, 'options.customArgs', /videoCodec is copy/);
    assert.throws(() => plan({ container: 'ts' }, { codec: 'vp9' }), /vp9 video cannot be copied into ts/);
  });
});

describe('buildTranscodePlan: chapters', () => {
  const chapters = [
    { startUs: 0, title: 'a' },
    { startUs: 30_000_000, title: 'b' },
    { startUs: 90_000_000, title: 'past the end' },
  ];
  it('maps chapters through a timelapse and writes MP4 with its index at the end (the chapter pass moves it)', () => {
    const p = buildTranscodePlan(
      { videoCodec: 'h264', audio: { mode: 'drop' }, container: 'mp4', chapters, timelapse: 10 },
      input,
    );
    assert.deepEqual(p.chapters, [
      { startUs: 0, title: 'a' },
      { startUs: 3_000_000, title: 'b' },
    ]);
    assert.deepEqual(p.muxer.options, {});
    assert.equal(plan({ chapters, container: 'ts' }).chapters.length, 0, 'MPEG-TS has no chapters');
    assert.equal(plan({ chapters }).chapters.length, 2);
  });
});

describe('buildTranscodePlan: custom encoder arguments', () => {
  const encode = (customArgs: TranscodeOptions['customArgs'], container: TranscodeOptions['container'] = 'mp4') =>
    buildTranscodePlan(
      { videoCodec: 'h264', audio: { mode: 'aac' }, container, customArgs },
      { ...input, videoBitrateKbps: 4000 },
    );

  it('sets encoder options in order; a CRF drops the planned bitrate', () => {
    const p = encode([
      { option: '-crf', value: '30' },
      { option: '-preset', value: 'ultrafast' },
      { option: '-b:a', value: '64k' },
    ]);
    assert.deepEqual(p.video.options, { preset: 'ultrafast', g: '50', crf: '30' });
    assert.deepEqual(p.audio?.kind === 'encode' && p.audio.options, { b: '64k' });
    assert.equal(
      encode([
        { option: '-crf', value: '30' },
        { option: '-b:v', value: '900k' },
      ]).video.options.b,
      '900k',
    );
  });

  it('appends filters before the pixel format, and maps -r, -pix_fmt, -movflags, -an, -q:v', () => {
    const p = encode([
      { option: '-vf', value: 'hflip' },
      { option: '-r', value: '10' },
      { option: '-pix_fmt', value: 'yuv444p' },
      { option: '-movflags', value: '+use_metadata_tags' },
      { option: '-an' },
      { option: '-q:v', value: '4' },
    ]);
    assert.equal(p.videoFilter, 'hflip,fps=fps=10,format=pix_fmts=yuv444p');
    assert.equal(p.video.fps, 10);
    assert.equal(p.muxer.options.movflags, '+faststart+use_metadata_tags');
    assert.equal(p.audio, undefined);
    assert.deepEqual([p.video.options.flags, p.video.options.global_quality], ['+qscale', '472']);
  });

  it('refuses what it cannot apply, naming the argument', () => {
    const bad = (
      args: TranscodeOptions['customArgs'],
      pattern: RegExp,
      container: TranscodeOptions['container'] = 'mp4',
    ) =>
      assert.throws(
        () => encode(args, container),
        (err: unknown) =>
          isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'options.customArgs' && pattern.test(err.message),
      );
    bad([{ option: '-shortest' }], /"-shortest" \(argument 1\) takes no value/);
    bad([{ option: '-vn' }], /would drop the video/);
    bad([{ option: '-r', value: 'fast' }], /"-r fast" \(argument 1\) is not a frame rate/);
    bad([{ option: '-movflags', value: '+frag_keyframe' }], /-movflags applies to mp4 output, not mkv/, 'mkv');
  });
});
