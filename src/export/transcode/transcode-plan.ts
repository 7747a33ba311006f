/**
 * Options + what the input is → the filter graphs, encoders and muxer of a
 * transcode (pure). The strings are what the ffmpeg CLI takes as `-vf`, `-af`
 * and `-c:v x -opt v`, so a plan can be replayed there (the benchmark does).
 *
 * The video graph, in order: timelapse frame pick (first, so later filters
 * touch only kept frames, with their real times for the clock), scale (before
 * rotation: fewer pixels to move when shrinking), figure boxes (they are in
 * the camera's orientation), flip/rotate, text (upright, in output pixels),
 * output timing, pixel format.
 */
import { invalidArgument } from '../../errors.js';
import { filterCall, formatNumber } from './filter-syntax.js';
import { WATERMARK_FONT_PATH } from './fonts.js';
import type {
  CodecOptions,
  Flip,
  Rotation,
  TranscodeContainer,
  TranscodeInputInfo,
  TranscodeOptions,
  TranscodePlan,
  TranscodeVideoCodec,
} from './types.js';
import { buildFigureFilters, buildTextFilters, planClockSpans } from './watermark-plan.js';

/** Encoder presets trade CPU for size; exports run on small servers, so the fast end. */
const X26X_PRESET = 'veryfast';
/** A keyframe every 2 s: seekable output without spending much on intra frames. */
const KEYFRAME_INTERVAL_S = 2;
/**
 * A timelapse's frames differ more from each other than a normal video's, but
 * its file is already `factor` times shorter; half the rate keeps it small.
 */
const TIMELAPSE_BITRATE_SCALE = 0.5;
const MIN_VIDEO_BITRATE_KBPS = 200;
const DEFAULT_AUDIO_BITRATE_KBPS = 128;
const MAX_DIMENSION = 8192;

const VIDEO_ENCODERS: Record<TranscodeVideoCodec, { encoder: string; options: CodecOptions }> = {
  h264: { encoder: 'libx264', options: { preset: X26X_PRESET } },
  h265: { encoder: 'libx265', options: { preset: X26X_PRESET, 'x265-params': 'log-level=error' } },
  mpeg4: { encoder: 'mpeg4', options: {} },
  wmv: { encoder: 'wmv2', options: {} },
};

const CONTAINERS: Record<
  TranscodeContainer,
  { format: string; options: CodecOptions; video: TranscodeVideoCodec[]; audio: string[]; cfr: boolean }
> = {
  mp4: {
    format: 'mp4',
    options: { movflags: '+faststart' },
    video: ['h264', 'h265', 'mpeg4'],
    audio: ['aac'],
    cfr: false,
  },
  mkv: {
    format: 'matroska',
    options: {},
    video: ['h264', 'h265', 'mpeg4', 'wmv'],
    audio: ['aac', 'pcm', 'wma'],
    cfr: false,
  },
  ts: { format: 'mpegts', options: {}, video: ['h264', 'h265', 'mpeg4'], audio: ['aac'], cfr: false },
  // AVI indexes frames by number: it needs one frame per tick of a constant rate.
  avi: { format: 'avi', options: {}, video: ['h264', 'mpeg4', 'wmv'], audio: ['aac', 'pcm', 'wma'], cfr: true },
};

const AUDIO_ENCODERS: Record<'pcm' | 'wma' | 'aac', { encoder: string; sampleFormat: string; bitrate: boolean }> = {
  pcm: { encoder: 'pcm_s16le', sampleFormat: 's16', bitrate: false },
  wma: { encoder: 'wmav2', sampleFormat: 'fltp', bitrate: true },
  aac: { encoder: 'aac', sampleFormat: 'fltp', bitrate: true },
};

export interface PlanEnvironment {
  /** Absolute path of the watermark font; default: the one Vigil ships. */
  fontFile?: string;
}

export function buildTranscodePlan(
  options: TranscodeOptions,
  input: TranscodeInputInfo,
  env: PlanEnvironment = {},
): TranscodePlan {
  checkOptions(options);
  const container = CONTAINERS[options.container];
  const factor = options.timelapse !== undefined && options.timelapse > 1 ? options.timelapse : undefined;
  const { hflip, rotation } = normalizeOrientation(options.flip ?? 'none', options.rotate ?? 0);
  const quarterTurn = rotation === 90 || rotation === 270;
  const out = outputSize(options, quarterTurn ? input.height : input.width, quarterTurn ? input.width : input.height);
  const scaled = quarterTurn ? { width: out.height, height: out.width } : out;

  const filters: string[] = [];
  if (factor !== undefined) {
    // The first frame of each output slot, keeping its own timestamp. Half a
    // frame's shift keeps a frame that sits exactly on a slot's start (every
    // keyframe, when the GOP equals the factor) from rounding into the slot before.
    const slot = formatNumber(factor / input.fps);
    const shift = formatNumber(0.5 / input.fps);
    const slotOf = (t: string): string => `floor((${t}+${shift})/${slot})`;
    filters.push(
      filterCall('select', [['expr', `isnan(prev_selected_t)+gt(${slotOf('t')},${slotOf('prev_selected_t')})`]]),
    );
  }
  if (scaled.width !== input.width || scaled.height !== input.height) {
    filters.push(`scale=${scaled.width}:${scaled.height}`);
  }
  filters.push(...buildFigureFilters(options.figures ?? [], scaled.width, scaled.height));
  filters.push(...orientationFilters(hflip, rotation));
  const channelName = options.channelNameWatermark?.trim() === '' ? undefined : options.channelNameWatermark;
  const clock =
    options.timestampWatermark === undefined ? undefined : planClockSpans(options.timestampWatermark, input.durationS);
  filters.push(
    ...buildTextFilters(channelName, clock, {
      ...out,
      align: options.watermarkAlign ?? 0,
      fontFile: env.fontFile ?? WATERMARK_FONT_PATH,
    }),
  );
  if (factor !== undefined) filters.push(`setpts=N/(${formatNumber(input.fps)}*TB)`);
  else if (container.cfr) filters.push(`fps=${formatNumber(input.fps)}`);
  filters.push('format=yuv420p');

  const codec = VIDEO_ENCODERS[options.videoCodec];
  const videoOptions: CodecOptions = {
    ...codec.options,
    g: String(Math.max(1, Math.round(KEYFRAME_INTERVAL_S * input.fps))),
  };
  const baseKbps = options.videoBitrateKbps ?? input.videoBitrateKbps;
  if (baseKbps !== undefined) {
    // A still scene measures a few kbit/s at the source; at that rate new detail (the watermark) never shows up.
    const kbps = Math.max(MIN_VIDEO_BITRATE_KBPS, factor === undefined ? baseKbps : baseKbps * TIMELAPSE_BITRATE_SCALE);
    videoOptions.b = `${Math.round(kbps)}k`;
  }
  if (options.threads !== undefined) videoOptions.threads = String(options.threads);

  return {
    videoFilter: filters.join(','),
    video: {
      encoder: codec.encoder,
      options: videoOptions,
      fps: input.fps,
      width: out.width,
      height: out.height,
      ...(options.videoCodec === 'h265' && options.container === 'mp4' ? { codecTag: 'hvc1' } : {}),
    },
    keyframesOnly:
      factor !== undefined && input.keyframeIntervalFrames !== undefined && input.keyframeIntervalFrames <= factor,
    ...audioPlan(options, input, factor !== undefined),
    muxer: { format: container.format, options: { ...container.options } },
    outputDurationS: factor === undefined ? input.durationS : input.durationS / factor,
  };
}

function audioPlan(
  options: TranscodeOptions,
  input: TranscodeInputInfo,
  timelapse: boolean,
): Pick<TranscodePlan, 'audio'> {
  const { mode } = options.audio;
  if (timelapse || mode === 'drop' || !input.hasAudio) return {};
  if (mode === 'copy') return { audio: { kind: 'copy' } };
  const codec = AUDIO_ENCODERS[mode];
  const kbps = options.audio.bitrateKbps ?? input.audioBitrateKbps ?? DEFAULT_AUDIO_BITRATE_KBPS;
  return {
    audio: {
      kind: 'encode',
      filter: `aformat=sample_fmts=${codec.sampleFormat}`,
      encoder: codec.encoder,
      options: codec.bitrate ? { b: `${Math.round(kbps)}k` } : {},
    },
  };
}

/** A vertical flip is a horizontal one turned half a turn: every case is an optional hflip, then a rotation. */
function normalizeOrientation(flip: Flip, rotate: Rotation): { hflip: boolean; rotation: Rotation } {
  const hflip = flip === 'h' || flip === 'v';
  const extra = flip === 'v' || flip === 'both' ? 180 : 0;
  return { hflip, rotation: ((rotate + extra) % 360) as Rotation };
}

function orientationFilters(hflip: boolean, rotation: Rotation): string[] {
  switch (rotation) {
    case 0:
      return hflip ? ['hflip'] : [];
    case 180:
      return hflip ? ['vflip'] : ['hflip', 'vflip'];
    // transpose's *_flip modes are the mirror followed by the quarter turn.
    case 90:
      return [hflip ? 'transpose=clock_flip' : 'transpose=clock'];
    case 270:
      return [hflip ? 'transpose=cclock_flip' : 'transpose=cclock'];
  }
}

function outputSize(options: TranscodeOptions, width: number, height: number): { width: number; height: number } {
  const even = (v: number): number => Math.max(2, 2 * Math.round(v / 2));
  if (options.width !== undefined && options.height !== undefined)
    return { width: options.width, height: options.height };
  if (options.width !== undefined) return { width: options.width, height: even((options.width * height) / width) };
  if (options.height !== undefined) return { width: even((options.height * width) / height), height: options.height };
  return { width, height };
}

function checkOptions(options: TranscodeOptions): void {
  const container = CONTAINERS[options.container] as (typeof CONTAINERS)[TranscodeContainer] | undefined;
  if (container === undefined) {
    throw invalidArgument(
      'options.container',
      `expected one of ${Object.keys(CONTAINERS).join(', ')}, got ${JSON.stringify(options.container)}`,
    );
  }
  if (!(options.videoCodec in VIDEO_ENCODERS)) {
    throw invalidArgument(
      'options.videoCodec',
      `expected one of ${Object.keys(VIDEO_ENCODERS).join(', ')}, got ${JSON.stringify(options.videoCodec)}`,
    );
  }
  if (!container.video.includes(options.videoCodec)) {
    throw invalidArgument(
      'options.videoCodec',
      `${options.videoCodec} cannot go in ${options.container}; ${options.container} takes ${container.video.join(', ')}`,
    );
  }
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

function checkPositive(field: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw invalidArgument(field, `expected a positive number of kbit/s, got ${value}`);
  }
}
