/**
 * Custom encoder arguments (`-crf 30 -preset ultrafast -vf hflip`) → where
 * each lands in a transcode plan (pure). The request layer decided who may
 * pass what (export/request/custom-args.ts); here each argument becomes what
 * the ffmpeg CLI would make of it as an output option:
 *
 * - `-vf`/`-filter:v` (and an admin's `-af`/`-filter:a`): appended to the
 *   plan's chain, before the final pixel format; `-r` and `-aspect` become
 *   `fps` and `setdar` there, `-pix_fmt` replaces the final format.
 * - `-movflags`: the MP4 muxer's flags (`+x` adds to the plan's, `x` replaces).
 * - `-an` drops the audio; `-sn`, `-dn` change nothing (no such streams are written).
 * - `-q:v N` is the fixed quantiser the CLI sets (`flags=+qscale`, `global_quality`).
 * - `-ar`, `-ac` become `aresample`/`aformat` in the audio chain.
 * - Anything else, `-name value`, is an encoder option: `name` on the video
 *   encoder, or the audio one with an `:a` stream specifier (`-b:a 96k`).
 *   Whether the encoder knows it is the engine's call (child-pipeline.ts
 *   checks each one before the first frame and names the one it refuses).
 *
 * A quality target (`-crf`, `-qp`, `-q:v`, `-cq`) without `-b:v` drops the
 * plan's bitrate: x264 and x265 ignore a CRF once a bitrate is set.
 */
import { invalidArgument } from '../../errors.js';
import { filterCall } from './filter-syntax.js';
import type { CodecOptions, EncoderArg } from './types.js';

export const CUSTOM_ARGS_FIELD = 'options.customArgs';

/** FFmpeg's lambda per quantiser step (FF_QP2LAMBDA): what `-q:v N` multiplies. */
const QP_TO_LAMBDA = 118;
const QUALITY_TARGETS = new Set(['crf', 'qp', 'cq', 'global_quality']);
/** Options that take no value and change nothing an export writes. */
const NO_EFFECT_FLAGS = new Set(['-sn', '-dn']);
/** Audio-only CLI options that carry no stream specifier. */
const AUDIO_OPTIONS: Readonly<Record<string, string>> = { '-ac': 'ac', '-ar': 'ar' };

export interface AppliedCustomArgs {
  /** Encoder options, in argument order (a later one wins). */
  video: CodecOptions;
  audio: CodecOptions;
  /** Filter chains to append, in argument order. */
  videoFilters: string[];
  audioFilters: string[];
  /** Replaces the plan's final `format=yuv420p`. */
  pixelFormat?: string;
  /** The output frame rate `-r` asks for. */
  fps?: number;
  codecTag?: string;
  /** Muxer options to merge over the plan's. */
  muxer: CodecOptions;
  dropAudio: boolean;
  /** A quality target was given without a bitrate: the plan's `b` must go. */
  dropPlanBitrate: boolean;
  /** Encoder option → the argument that set it, for the engine's refusals. */
  sources: Map<string, string>;
}

function refuse(arg: EncoderArg, index: number, why: string): never {
  const shown = arg.value === undefined ? arg.option : `${arg.option} ${arg.value}`;
  throw invalidArgument(CUSTOM_ARGS_FIELD, `${JSON.stringify(shown)} (argument ${index + 1}) ${why}`);
}

/** `30000/1001`, `25`, `29.97` → frames per second. */
function parseRate(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(value.trim());
  if (m === null) return undefined;
  const fps = Number(m[1]) / Number(m[2] ?? 1);
  return Number.isFinite(fps) && fps > 0 ? fps : undefined;
}

/** `-name`, `-name:v`, `-name:v:0` → `{ name, stream }`; undefined for another stream specifier. */
function splitSpecifier(option: string): { name: string; stream: 'v' | 'a' } | undefined {
  const m = /^-([A-Za-z0-9_][A-Za-z0-9_-]*)(?::([va])(?::0)?)?$/.exec(option);
  if (m === null) return undefined;
  return { name: m[1]!, stream: m[2] === 'a' ? 'a' : 'v' };
}

export function applyCustomArgs(args: readonly EncoderArg[]): AppliedCustomArgs {
  const out: AppliedCustomArgs = {
    video: {},
    audio: {},
    videoFilters: [],
    audioFilters: [],
    muxer: {},
    dropAudio: false,
    dropPlanBitrate: false,
    sources: new Map(),
  };
  let bitrateGiven = false;
  args.forEach((arg, i) => {
    const { option, value } = arg;
    if (option === '-an') return void (out.dropAudio = true);
    if (NO_EFFECT_FLAGS.has(option)) return;
    if (option === '-vn') refuse(arg, i, 'would drop the video, which is what an export is for');
    if (value === undefined) {
      refuse(arg, i, 'takes no value and is not an encoder option an export can apply (known flags: -an, -sn, -dn)');
    }
    switch (option) {
      case '-vf':
      case '-filter:v':
        return void out.videoFilters.push(value);
      case '-af':
      case '-filter:a':
        return void out.audioFilters.push(value);
      case '-pix_fmt':
      case '-pix_fmt:v':
        return void (out.pixelFormat = value);
      case '-r':
      case '-r:v': {
        const fps = parseRate(value);
        if (fps === undefined) refuse(arg, i, 'is not a frame rate (25, 29.97 or 30000/1001)');
        out.fps = fps;
        return void out.videoFilters.push(filterCall('fps', [['fps', value]]));
      }
      case '-aspect': {
        const dar = value.replace(':', '/');
        if (parseRate(dar) === undefined) refuse(arg, i, 'is not an aspect ratio (16:9 or 1.7778)');
        return void out.videoFilters.push(filterCall('setdar', [['dar', dar]]));
      }
      case '-tag:v':
        return void (out.codecTag = value);
      case '-movflags':
        return void (out.muxer.movflags = value);
      case '-q:v':
      case '-qscale:v': {
        const q = Number(value);
        if (!Number.isFinite(q)) refuse(arg, i, 'is not a number');
        out.video.flags = '+qscale';
        out.video.global_quality = String(Math.round(q * QP_TO_LAMBDA));
        out.sources.set('global_quality', option);
        out.sources.set('flags', option);
        return;
      }
    }
    const audioOnly = AUDIO_OPTIONS[option];
    if (audioOnly === 'ar') return void out.audioFilters.push(filterCall('aresample', [['out_sample_rate', value]]));
    if (audioOnly === 'ac') {
      if (!/^\d{1,2}$/.test(value)) refuse(arg, i, 'is not a channel count');
      const layout = value === '1' ? 'mono' : value === '2' ? 'stereo' : `${value}c`;
      return void out.audioFilters.push(filterCall('aformat', [['channel_layouts', layout]]));
    }
    const split = splitSpecifier(option);
    if (split === undefined) refuse(arg, i, 'is not an option name (-name, -name:v or -name:a)');
    const { name } = split;
    const target = split.stream === 'a' ? out.audio : out.video;
    target[name] = value;
    if (split.stream === 'v') {
      out.sources.set(name, option);
      if (name === 'b') bitrateGiven = true;
      if (QUALITY_TARGETS.has(name)) out.dropPlanBitrate = true;
    } else {
      out.sources.set(`a:${name}`, option);
    }
  });
  if (bitrateGiven) out.dropPlanBitrate = false;
  return out;
}
