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
import type { Chapter } from '../../mp4/boxes/chapters.js';
import { CONTAINERS, VIDEO_ENCODERS, checkTranscodeOptions, type ContainerRules } from './check-options.js';
import { applyCustomArgs, type AppliedCustomArgs } from './custom-encoder-args.js';
import { filterCall, formatNumber } from './filter-syntax.js';
import { WATERMARK_FONT_PATH } from './fonts.js';
import type { CodecOptions, Flip, Rotation, TranscodeInputInfo, TranscodeOptions, TranscodePlan } from './types.js';
import { buildFigureFilters, buildTextFilters, planClockSpans } from './watermark-plan.js';

/** The plan's `video.encoder` for a stream copy, as the CLI spells it (`-c:v copy`). */
export const VIDEO_COPY = 'copy';
/** A keyframe every 2 s: seekable output without spending much on intra frames. */
const KEYFRAME_INTERVAL_S = 2;
/**
 * A timelapse's frames differ more from each other than a normal video's, but
 * its file is already `factor` times shorter; half the rate keeps it small.
 */
const TIMELAPSE_BITRATE_SCALE = 0.5;
const MIN_VIDEO_BITRATE_KBPS = 200;
const DEFAULT_AUDIO_BITRATE_KBPS = 128;
/** FFmpeg codec names (TranscodeInputInfo.codec) each container takes as a copy; absent: any. */
const COPY_CODECS: Partial<Record<TranscodeOptions['container'], string[]>> = {
  mp4: ['h264', 'hevc', 'mpeg4'],
  ts: ['h264', 'hevc', 'mpeg4'],
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
  checkTranscodeOptions(options);
  const container = CONTAINERS[options.container];
  if (options.videoCodec === 'copy') return copyPlan(options, input, container);
  const custom = applyCustomArgs(options.customArgs ?? []);
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
  // The user's filters see the picture as the plan made it, and the encoder still gets one frame per tick in AVI.
  filters.push(...custom.videoFilters);
  const fps = custom.fps ?? input.fps;
  if (factor !== undefined) filters.push(`setpts=N/(${formatNumber(fps)}*TB)`);
  else if (container.cfr) filters.push(`fps=${formatNumber(fps)}`);
  filters.push(
    custom.pixelFormat === undefined ? 'format=yuv420p' : filterCall('format', [['pix_fmts', custom.pixelFormat]]),
  );

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
  if (custom.dropPlanBitrate) delete videoOptions.b;
  Object.assign(videoOptions, custom.video);
  const codecTag =
    custom.codecTag ?? (options.videoCodec === 'h265' && options.container === 'mp4' ? 'hvc1' : undefined);
  const outputDurationS = factor === undefined ? input.durationS : input.durationS / factor;
  const muxer = muxerPlan(options, container, custom.muxer);

  return {
    videoFilter: filters.join(','),
    video: {
      encoder: codec.encoder,
      options: videoOptions,
      fps,
      width: out.width,
      height: out.height,
      ...(codecTag === undefined ? {} : { codecTag }),
    },
    keyframesOnly:
      factor !== undefined && input.keyframeIntervalFrames !== undefined && input.keyframeIntervalFrames <= factor,
    ...audioPlan(options, input, factor !== undefined, custom),
    muxer,
    outputDurationS,
    chapters: planChapters(options, container, muxer, factor ?? 1, outputDurationS),
  };
}

/** The video packets as recorded; only the audio may be converted. */
function copyPlan(options: TranscodeOptions, input: TranscodeInputInfo, container: ContainerRules): TranscodePlan {
  const allowed = COPY_CODECS[options.container];
  if (allowed !== undefined && input.codec !== undefined && !allowed.includes(input.codec)) {
    throw invalidArgument(
      'options.videoCodec',
      `the recorded ${input.codec} video cannot be copied into ${options.container}, which takes ${allowed.join(', ')}; name a codec to re-encode`,
    );
  }
  const muxer = muxerPlan(options, container, {});
  return {
    videoFilter: '',
    video: {
      encoder: VIDEO_COPY,
      options: {},
      fps: input.fps,
      width: input.width,
      height: input.height,
      // MP4 players look for hvc1 (parameter sets in the sample entry) rather than hev1.
      ...(input.codec === 'hevc' && options.container === 'mp4' ? { codecTag: 'hvc1' } : {}),
    },
    keyframesOnly: false,
    ...audioPlan(options, input, false, applyCustomArgs([])),
    muxer,
    outputDurationS: input.durationS,
    chapters: planChapters(options, container, muxer, 1, input.durationS),
  };
}

/**
 * The container's muxer options with the user's over them. MP4 with chapters
 * is written with its index at the end: the chapter pass moves it to the front
 * anyway (mp4-chapters.ts), and FFmpeg's faststart would copy the file once more.
 */
function muxerPlan(options: TranscodeOptions, container: ContainerRules, custom: CodecOptions): TranscodePlan['muxer'] {
  const muxerOptions: CodecOptions = { ...container.options };
  const movflags = custom.movflags;
  if (movflags !== undefined) {
    if (options.container !== 'mp4') {
      throw invalidArgument('options.customArgs', `-movflags applies to mp4 output, not ${options.container}`);
    }
    muxerOptions.movflags = /^[+-]/.test(movflags) ? `${muxerOptions.movflags ?? ''}${movflags}` : movflags;
  }
  if (options.container === 'mp4' && (options.chapters?.length ?? 0) > 0 && !isFragmented(muxerOptions)) {
    const rest = (muxerOptions.movflags ?? '').replace(/\+faststart/g, '');
    if (rest === '') delete muxerOptions.movflags;
    else muxerOptions.movflags = rest;
  }
  return { format: container.format, options: muxerOptions };
}

function isFragmented(muxerOptions: CodecOptions): boolean {
  return /frag|empty_moov/.test(muxerOptions.movflags ?? '');
}

/**
 * Chapters on the output timeline: a timelapse divides their starts and those
 * past the end are left out; ties keep their order (a piece's before an
 * event's, as the stream copy builders write them). A fragmented MP4 has no
 * single index to hold them.
 */
function planChapters(
  options: TranscodeOptions,
  container: ContainerRules,
  muxer: TranscodePlan['muxer'],
  factor: number,
  outputDurationS: number,
): Chapter[] {
  if (!container.chapters || (options.container === 'mp4' && isFragmented(muxer.options))) return [];
  const endUs = outputDurationS * 1e6;
  return (options.chapters ?? [])
    .map((c) => ({ startUs: Math.round(c.startUs / factor), title: c.title }))
    .filter((c) => endUs <= 0 || c.startUs < endUs)
    .sort((a, b) => a.startUs - b.startUs);
}

function audioPlan(
  options: TranscodeOptions,
  input: TranscodeInputInfo,
  timelapse: boolean,
  custom: AppliedCustomArgs,
): Pick<TranscodePlan, 'audio'> {
  const { mode } = options.audio;
  const customAudio = custom.audioFilters.length > 0 || Object.keys(custom.audio).length > 0;
  if (customAudio && mode === 'copy' && !custom.dropAudio) {
    throw invalidArgument(
      'options.customArgs',
      'audio encoder options and filters need the audio converted (audio mode aac, pcm or wma), not copied',
    );
  }
  if (timelapse || mode === 'drop' || custom.dropAudio || !input.hasAudio) return {};
  if (mode === 'copy') return { audio: { kind: 'copy' } };
  const codec = AUDIO_ENCODERS[mode];
  const kbps = options.audio.bitrateKbps ?? input.audioBitrateKbps ?? DEFAULT_AUDIO_BITRATE_KBPS;
  // The encoder's sample format comes last: a user's resampling must not leave it another.
  const filter = [...custom.audioFilters, `aformat=sample_fmts=${codec.sampleFormat}`].join(',');
  return {
    audio: {
      kind: 'encode',
      filter,
      encoder: codec.encoder,
      options: { ...(codec.bitrate ? { b: `${Math.round(kbps)}k` } : {}), ...custom.audio },
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
