/**
 * What a transcode may be asked for (pure): each container's codecs, and the
 * checks that name the field at fault before anything is opened. The runner
 * calls checkTranscodeOptions in the parent, so a bad option fails at once
 * with its field; the plan checks again in the child.
 */
import { invalidArgument } from '../../errors.js';
import type { CodecOptions, TranscodeContainer, TranscodeOptions, TranscodeVideoCodec } from './types.js';

export const VIDEO_ENCODERS: Record<TranscodeVideoCodec, { encoder: string; options: CodecOptions }> = {
  // Encoder presets trade CPU for size; exports run on small servers, so the fast end.
  h264: { encoder: 'libx264', options: { preset: 'veryfast' } },
  h265: { encoder: 'libx265', options: { preset: 'veryfast', 'x265-params': 'log-level=error' } },
  mpeg4: { encoder: 'mpeg4', options: {} },
  wmv: { encoder: 'wmv2', options: {} },
};

export interface ContainerRules {
  format: string;
  options: CodecOptions;
  video: TranscodeVideoCodec[];
  audio: string[];
  cfr: boolean;
  /** Stream copy of the video is allowed. */
  copy: boolean;
  /** Chapters can be written (MP4: a Nero chpl box; Matroska: a Chapters element). */
  chapters: boolean;
}

export const CONTAINERS: Record<TranscodeContainer, ContainerRules> = {
  mp4: {
    format: 'mp4',
    options: { movflags: '+faststart' },
    video: ['h264', 'h265', 'mpeg4'],
    audio: ['aac'],
    cfr: false,
    copy: true,
    chapters: true,
  },
  mkv: {
    format: 'matroska',
    options: {},
    video: ['h264', 'h265', 'mpeg4', 'wmv'],
    audio: ['aac', 'pcm', 'wma'],
    cfr: false,
    copy: true,
    chapters: true,
  },
  ts: {
    format: 'mpegts',
    options: {},
    video: ['h264', 'h265', 'mpeg4'],
    audio: ['aac'],
    cfr: false,
    copy: true,
    chapters: false,
  },
  // AVI indexes frames by number: it needs one frame per tick of a constant
  // rate. A copy would keep the camera's variable timing and its length-prefixed
  // H.264, which players read unevenly: refused, an AVI is always re-encoded.
  avi: {
    format: 'avi',
    options: {},
    video: ['h264', 'mpeg4', 'wmv'],
    audio: ['aac', 'pcm', 'wma'],
    cfr: true,
    copy: false,
    chapters: false,
  },
};

const MAX_DIMENSION = 8192;

/** Options that change the picture: with `videoCodec: 'copy'` each is an error naming it. */
const PICTURE_OPTIONS = [
  'videoBitrateKbps',
  'width',
  'height',
  'channelNameWatermark',
  'timestampWatermark',
  'timelapse',
] as const;

export function checkTranscodeOptions(options: TranscodeOptions): void {
  const container = CONTAINERS[options.container] as ContainerRules | undefined;
  if (container === undefined) {
    throw invalidArgument(
      'options.container',
      `expected one of ${Object.keys(CONTAINERS).join(', ')}, got ${JSON.stringify(options.container)}`,
    );
  }
  if (options.videoCodec === 'copy') checkCopy(options, container);
  else checkVideoCodec(options, container);
  const { mode } = options.audio;
  if (!['drop', 'copy', 'pcm', 'wma', 'aac'].includes(mode)) {
    throw invalidArgument('options.audio.mode', `expected drop, copy, pcm, wma or aac, got ${JSON.stringify(mode)}`);
  }
  if (mode !== 'drop' && mode !== 'copy' && !container.audio.includes(mode)) {
    throw invalidArgument(
      'options.audio.mode',
      `${mode} audio cannot go in ${options.container}; ${options.container} takes ${container.audio.join(', ')}`,
    );
  }
  checkPositive('options.videoBitrateKbps', options.videoBitrateKbps);
  checkPositive('options.audio.bitrateKbps', options.audio.bitrateKbps);
  for (const field of ['width', 'height'] as const) {
    const v = options[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 2 || v > MAX_DIMENSION || v % 2 !== 0)) {
      throw invalidArgument(
        `options.${field}`,
        `expected an even number of pixels from 2 to ${MAX_DIMENSION}, got ${v}`,
      );
    }
  }
  if (options.timelapse !== undefined && !(Number.isFinite(options.timelapse) && options.timelapse >= 1)) {
    throw invalidArgument('options.timelapse', `expected a speed factor of 1 or more, got ${options.timelapse}`);
  }
  options.figures?.forEach((f, i) => {
    const inUnit = [f.x, f.y, f.w, f.h].every((v) => Number.isFinite(v) && v >= 0 && v <= 1);
    if (!inUnit || !(f.startS <= f.endS)) {
      throw invalidArgument(`options.figures[${i}]`, 'expected x, y, w, h from 0 to 1 and startS ≤ endS');
    }
  });
  options.chapters?.forEach((c, i) => {
    if (!Number.isFinite(c.startUs) || c.startUs < 0 || typeof c.title !== 'string') {
      throw invalidArgument(`options.chapters[${i}]`, 'expected a startUs of 0 or more and a title');
    }
  });
  const pieces = options.timestampWatermark?.pieces;
  if (pieces !== undefined) {
    const sorted = pieces.every(
      (p, i) =>
        Number.isFinite(p.outputStartS) &&
        Number.isFinite(p.utcStartMs) &&
        (i === 0 || p.outputStartS > (pieces[i - 1]?.outputStartS ?? 0)),
    );
    if (pieces.length === 0 || !sorted) {
      throw invalidArgument(
        'options.timestampWatermark.pieces',
        'expected at least one piece, in increasing outputStartS',
      );
    }
  }
  if (options.channelNameWatermark !== undefined && /[\n\r]/.test(options.channelNameWatermark)) {
    throw invalidArgument('options.channelNameWatermark', 'expected one line of text');
  }
}

function checkVideoCodec(options: TranscodeOptions, container: ContainerRules): void {
  const codec = options.videoCodec as TranscodeVideoCodec;
  if (!(codec in VIDEO_ENCODERS)) {
    throw invalidArgument(
      'options.videoCodec',
      `expected copy or one of ${Object.keys(VIDEO_ENCODERS).join(', ')}, got ${JSON.stringify(codec)}`,
    );
  }
  if (!container.video.includes(codec)) {
    throw invalidArgument(
      'options.videoCodec',
      `${codec} cannot go in ${options.container}; ${options.container} takes ${container.video.join(', ')}`,
    );
  }
}

function checkCopy(options: TranscodeOptions, container: ContainerRules): void {
  if (!container.copy) {
    throw invalidArgument(
      'options.videoCodec',
      `a stream copy (video_codec absent or not a codec) cannot go in ${options.container}: ` +
        `AVI needs constant-rate frames, so its video is always re-encoded; ` +
        `name a codec (${container.video.join(', ')}) or choose mkv, ts or mp4`,
    );
  }
  const transformed = [
    ...PICTURE_OPTIONS.filter((key) => options[key] !== undefined),
    ...((options.flip ?? 'none') !== 'none' ? ['flip'] : []),
    ...((options.rotate ?? 0) !== 0 ? ['rotate'] : []),
    ...((options.figures?.length ?? 0) > 0 ? ['figures'] : []),
    ...((options.customArgs?.length ?? 0) > 0 ? ['customArgs'] : []),
  ];
  const field = transformed[0];
  if (field !== undefined) {
    throw invalidArgument(
      `options.${field}`,
      `needs the video re-encoded, but videoCodec is copy (packets kept as recorded); ` +
        `name a codec (${container.video.join(', ')}) or leave ${field} out`,
    );
  }
}

function checkPositive(field: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw invalidArgument(field, `expected a positive number of kbit/s, got ${value}`);
  }
}
