import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorTable } from '../../errors.js';
import { normalizeExportRequest } from './normalize-request.js';
import { assertRefused, NOW_S, NOW_US, testContext } from './testing.js';
import type { ExportJobWireRequest, ExportWireOptions } from './types.js';

const START = NOW_S - 3600;
const base = (extra: Partial<ExportJobWireRequest> = {}): ExportJobWireRequest => ({
  stream: 'cam1',
  start: START,
  ...extra,
});
const withOptions = (options: ExportWireOptions, extra: Partial<ExportJobWireRequest> = {}) =>
  normalizeExportRequest(base({ ...extra, options }), testContext());

test('a minimal request gets every default', () => {
  assert.deepEqual(normalizeExportRequest(base(), testContext()), {
    taskId: 'task1',
    stream: 'cam1',
    variant: 'main',
    fromUs: NOW_US - 3_600_000_000,
    toUs: NOW_US - 3_540_000_000,
    container: 'mp4',
    timeZone: 'UTC',
    source: 'archive',
    audio: { mode: 'copy' },
    transcode: null,
    target: {
      root: '/srv/exports',
      directory: '/srv/exports',
      fileName: 'Front door (2026-01-31 11.00.00 - 2026-01-31 11.01.00).mp4',
    },
  });
});

test('substream, zone and task id shape the job and its file name', () => {
  const draft = normalizeExportRequest(
    base({ prefer_substream: true, tz: 'Asia/Tokyo', task_id: 'Job_42-a', duration: 15 }),
    testContext({ timeZone: 'Europe/Paris' }),
  );
  assert.equal(draft.variant, 'sub');
  assert.equal(draft.taskId, 'Job_42-a');
  assert.equal(draft.timeZone, 'Asia/Tokyo');
  assert.equal(draft.target.fileName, 'Front door (2026-01-31 20.00.00 - 2026-01-31 20.00.15) (sub).mp4');
  const configured = normalizeExportRequest(base({ tz: '' }), testContext({ timeZone: 'Europe/Paris' }));
  assert.equal(configured.target.fileName, 'Front door (2026-01-31 12.00.00 - 2026-01-31 12.01.00).mp4');
});

test('bad top-level fields are refused, naming the field', () => {
  const cases: Array<[unknown, string, RegExp, keyof typeof errorTable]> = [
    [null, 'body', /expected an object/, 'INVALID_ARGUMENT'],
    [{ start: START }, 'stream', /required: a stream name/, 'INVALID_ARGUMENT'],
    [base({ stream: '../cam1' }), 'stream', /A-Z a-z 0-9/, 'INVALID_ARGUMENT'],
    [base({ stream: 'cam9' }), 'stream', /no stream is named "cam9"/, 'STREAM_NOT_FOUND'],
    [base({ prefer_substream: 'yes' as unknown as boolean }), 'prefer_substream', /true or false/, 'INVALID_ARGUMENT'],
    [base({ tz: 'Moon/Base' }), 'tz', /IANA time zone/, 'INVALID_ARGUMENT'],
    [base({ task_id: 'a/b' }), 'task_id', /"a\/b"/, 'INVALID_ARGUMENT'],
    [base({ task_id: 'x'.repeat(65) }), 'task_id', /1-64/, 'INVALID_ARGUMENT'],
    [base({ container: 'mov' }), 'container', /expected one of mp4, mkv, ts, avi, got "mov"/, 'INVALID_ARGUMENT'],
    [base({ file_name: 7 as unknown as string }), 'file_name', /expected a string/, 'INVALID_ARGUMENT'],
    [base({ file_name: '...' }), 'file_name', /nothing usable is left of "..."/, 'INVALID_ARGUMENT'],
    [base({ file_name: 'x'.repeat(2000) }), 'file_name', /at most 1024 characters/, 'INVALID_ARGUMENT'],
    [base({ file_path: '../x' }), 'file_path', /"\.\." is not allowed/, 'INVALID_ARGUMENT'],
    [
      base({ file_path: 'a/b.mp4', file_name: 'c' }),
      'file_name',
      /file_path already names the file/,
      'INVALID_ARGUMENT',
    ],
    [base({ options: 'h264' as unknown as object }), 'options', /expected an object/, 'INVALID_ARGUMENT'],
    [base({ options: { videocodec: 'h264' } as object }), 'options.videocodec', /unknown option/, 'UNKNOWN_FIELD'],
  ];
  for (const [input, field, pattern, code] of cases) {
    assertRefused(() => normalizeExportRequest(input as ExportJobWireRequest, testContext()), field, [pattern], code);
  }
});

test('a camera-storage export is refused as not implemented (HTTP 501), never made from the archive', () => {
  const cases: Array<[ExportWireOptions, string]> = [
    [{ is_hardware: true }, 'options.is_hardware'],
    [{ source: 'camera' }, 'options.source'],
    [{ source: 'Camera', video_codec: 'h264' }, 'options.source'],
  ];
  for (const [options, field] of cases) {
    assertRefused(() => withOptions(options), field, [/camera's own storage/], 'NOT_IMPLEMENTED');
  }
  assert.equal(errorTable.NOT_IMPLEMENTED.status, 501);
  assert.equal(withOptions({ is_hardware: false, source: 'ARCHIVE' }).source, 'archive');
  assertRefused(() => withOptions({ source: 'cloud' }), 'options.source', [/"archive" or "camera", got "cloud"/]);
  assertRefused(() => withOptions({ is_hardware: 1 as unknown as boolean }), 'options.is_hardware');
});

test('stream copy ignores every transcode-only option, even wrong ones, but not audio', () => {
  const draft = withOptions({
    video_codec: '',
    video_bitrate: 'lots',
    video_resolution: '1x1',
    need_fliprotate: true,
    need_timestamp_watermark: true,
    watermark_align: 9,
    watermark_need_figures: 'yes' as unknown as boolean,
    custom_args: ['-i', '/etc/passwd'],
    audio_codec: 'no audio',
  });
  assert.equal(draft.transcode, null);
  assert.deepEqual(draft.audio, { mode: 'drop' });
});

test('a transcode carries every option, normalized', () => {
  const draft = withOptions({
    video_codec: 'H265',
    video_bitrate: 999,
    video_resolution: '1280x1960',
    audio_codec: 'AAC',
    audio_bitrate: 97,
    need_fliprotate: true,
    need_channel_name_watermark: true,
    need_timestamp_watermark: true,
    watermark_align: 4,
    watermark_need_figures: true,
    custom_args: ['-crf', '23'],
  });
  assert.deepEqual(draft.audio, { mode: 'aac', bitrateKbps: 128 });
  assert.deepEqual(draft.transcode, {
    videoCodec: 'h265',
    videoBitrateKbps: 800,
    resolution: { width: 1280, height: 960 },
    flipRotate: true,
    channelNameWatermark: true,
    timestampWatermark: true,
    watermarkAlign: 4,
    figures: true,
    customArgs: [{ option: '-crf', value: '23' }],
  });
  assert.deepEqual(withOptions({ video_codec: 'mpeg4' }).transcode, {
    videoCodec: 'mpeg4',
    flipRotate: false,
    channelNameWatermark: false,
    timestampWatermark: false,
    watermarkAlign: 1,
    figures: false,
    customArgs: [],
  });
  assertRefused(
    () => withOptions({ video_codec: 'h264', need_fliprotate: 'true' as unknown as boolean }),
    'options.need_fliprotate',
  );
});

test('custom args: the allowlist binds non-admins, admins pass anything the job does not own', () => {
  const options = { video_codec: 'h264', custom_args: ['-x264-params', 'keyint=50'] };
  assertRefused(() => withOptions(options), 'options.custom_args', [/"-x264-params"/]);
  const admin = normalizeExportRequest(base({ options }), testContext({ isAdmin: true }));
  assert.deepEqual(admin.transcode?.customArgs, [{ option: '-x264-params', value: 'keyint=50' }]);
});

test('a timelapse re-encodes (h264 unless named), drops audio, and refuses a stream-copy codec', () => {
  const draft = withOptions({ timelapse: 60, audio_codec: 'aac' });
  assert.equal(draft.transcode?.videoCodec, 'h264');
  assert.equal(draft.transcode?.timelapseFactor, 60);
  assert.deepEqual(draft.audio, { mode: 'drop' });
  assert.equal(withOptions({ timelapse: '25', video_codec: 'h265' }).transcode?.videoCodec, 'h265');
  assert.equal(withOptions({ timelapse: 1 }).transcode, null);
  assertRefused(() => withOptions({ timelapse: 60, video_codec: '' }), 'options.timelapse', [/means stream copy/]);
  assertRefused(() => withOptions({ timelapse: 0 }), 'options.timelapse');
});

test('the container comes from the request, the file name, the codecs, else mp4', () => {
  const cases: Array<[Partial<ExportJobWireRequest>, ExportWireOptions, string, string]> = [
    [{}, {}, 'mp4', '.mp4'],
    [{ container: 'MKV' }, {}, 'mkv', '.mkv'],
    [{ container: '.ts' }, {}, 'ts', '.ts'],
    [{ file_name: 'gate.avi' }, {}, 'avi', 'gate.avi'],
    [{ file_name: 'gate.AVI', container: 'avi' }, {}, 'avi', 'gate.AVI'],
    [{ file_name: 'gate' }, {}, 'mp4', 'gate.mp4'],
    [{ file_name: 'gate.mov' }, {}, 'mp4', 'gate.mov.mp4'],
    [{ file_path: 'inc/gate.mkv' }, {}, 'mkv', 'gate.mkv'],
    [{}, { video_codec: 'WMV' }, 'avi', '.avi'],
    [{}, { audio_codec: 'wma' }, 'avi', '.avi'],
    [{}, { audio_codec: 'pcm' }, 'avi', '.avi'],
    [{ container: 'mkv' }, { audio_codec: 'pcm' }, 'mkv', '.mkv'],
    [{ container: 'avi' }, { video_codec: 'wmv', audio_codec: 'wma' }, 'avi', '.avi'],
  ];
  for (const [extra, options, container, suffix] of cases) {
    const draft = withOptions(options, extra);
    assert.equal(draft.container, container, JSON.stringify([extra, options]));
    assert.ok(draft.target.fileName.endsWith(suffix), draft.target.fileName);
  }
});

test('codecs a container cannot hold, and disagreeing extensions, are refused', () => {
  const cases: Array<[Partial<ExportJobWireRequest>, ExportWireOptions, string, RegExp]> = [
    [{ container: 'mp4' }, { video_codec: 'wmv' }, 'container', /wmv \(WMV2\) is written only in avi, got mp4/],
    [{ file_name: 'x.mkv' }, { video_codec: 'wmv' }, 'file_name', /only in avi, got mkv/],
    [{ container: 'ts' }, { audio_codec: 'wma' }, 'container', /audio_codec wma is written only in avi or mkv/],
    [{ container: 'mp4' }, { audio_codec: 'pcm' }, 'container', /audio_codec pcm/],
    [{ container: 'mp4', file_name: 'x.mkv' }, {}, 'file_name', /ends in \.mkv but container is mp4/],
    [{ container: 'ts', file_path: 'a/x.avi' }, {}, 'file_path', /ends in \.avi but container is ts/],
  ];
  for (const [extra, options, field, pattern] of cases) {
    assertRefused(() => withOptions(options, extra), field, [pattern]);
  }
});

test('file names: unsafe characters replaced, templates checked', () => {
  assert.equal(withOptions({}, { file_name: 'Gate: 12/31 <night>?' }).target.fileName, 'Gate_ 12_31 _night__.mp4');
  assert.equal(withOptions({}, { file_name: 'NUL' }).target.fileName, '_NUL.mp4');
  const titled = normalizeExportRequest(
    base(),
    testContext({ findStream: () => ({ title: 'Yard: north/east' }), fileNameTemplate: '{stream}-{name}-{task_id}' }),
  );
  assert.equal(titled.target.fileName, 'cam1-Yard_ north_east-task1.mp4');
  assertRefused(
    () => normalizeExportRequest(base(), testContext({ fileNameTemplate: '{name} {when}.{ext}' })),
    'file_name_template',
    [/unknown placeholder \{when\}/],
  );
  assertRefused(
    () => normalizeExportRequest(base(), testContext({ fileNameTemplate: '{name} ({dt_start} - {dt_end}){sub}.avi' })),
    'file_name_template',
    [/ends in \.avi but the container is mp4; end it with \.\{ext\}/],
  );
});
