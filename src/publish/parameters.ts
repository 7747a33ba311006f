/**
 * The publisher's parameters: their types, what each accepts, and the values
 * they take when not set. Pure: no engine, no clock.
 *
 * Three layers resolve a value: what the user set explicitly, what a probed
 * `source` offers, then the defaults; explicit values always win, whichever
 * came first.
 */
import { VigilError, invalidArgument } from '../errors.js';
import { guessOutput, type HlsSettings, type OutputTarget } from './output-format.js';

export const PUBLISHER_CODECS = [
  'libx264',
  'libx265',
  'mpeg4',
  'h264_nvenc',
  'hevc_nvenc',
  'h264_qsv',
  'hevc_qsv',
] as const;
export type PublisherCodec = (typeof PUBLISHER_CODECS)[number];

export const PUBLISHER_PIXEL_FORMATS = ['rgb24', 'rgba', 'bgr24', 'yuv420p'] as const;
export type PublisherPixelFormat = (typeof PUBLISHER_PIXEL_FORMATS)[number];

export const X26X_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;
export type X26xPreset = (typeof X26X_PRESETS)[number];

/** What `setParameter` accepts (all optional). */
export interface PublisherParameters {
  /** Where `open()` publishes when called without an address. */
  address?: string;
  codecName?: PublisherCodec;
  /** Encoder threads; 0 lets the encoder choose. */
  nthread?: number;
  /** Target bit rate in kbit/s; 0 (default) is constant quality (x264/x265 CRF, mpeg4 q 4). */
  bitRate?: number;
  /** Size of the published picture. */
  width?: number;
  height?: number;
  /** Size of the frames given to `serveFrame`; scaled to width × height when they differ. */
  widthSrc?: number;
  heightSrc?: number;
  /** Frames from one keyframe to the next. Default: frameRate × hlsTime (2 s). */
  GOPSize?: number;
  /** Consecutive B-frames at most, 0–16; default 0. */
  maxBframe?: number;
  /** Frames per second as [numerator, denominator], default [25, 1]. */
  frameRate?: readonly [number, number];
  /** Frames the pushed stream may run ahead of real playback; default GOPSize. */
  frameAhead?: number;
  /** Layout of the frames given: rgb24 (default), rgba, bgr24 or yuv420p (planar). */
  pixelFormat?: PublisherPixelFormat;
  /** x264/x265 speed preset, default veryfast (a live encoder must keep up). */
  preset?: X26xPreset;
  /** HLS: target segment length in seconds, default 2. */
  hlsTime?: number;
  /** HLS: segments in a live playlist, default 6; older ones are deleted. */
  hlsListSize?: number;
  /** HLS: `live` (sliding window, default) or `event` (every segment kept). */
  hlsPlaylist?: 'live' | 'event';
  /** HLS: `fmp4` (default) or `mpegts` segments. */
  hlsSegmentType?: 'fmp4' | 'mpegts';
  /**
   * Network addresses: milliseconds a server may take to accept the TCP
   * connection (RTMP, RTSP, vigil://), to answer the handshake, and to take
   * one write (or the close), before the output fails with TIMEOUT; default
   * 10000 (100–600000). rtmps:// is bounded at the connect only.
   */
  timeoutMs?: number;
}

/** What a probed source offers; explicit parameters win over it. */
export interface SourceDescription {
  width?: number;
  height?: number;
  frameRate?: readonly [number, number];
  /** kbit/s */
  bitRate?: number;
}

/** Every parameter with the value it has now, plus the read-only ones. */
export interface PublisherParameterValues {
  address: string | undefined;
  codecName: PublisherCodec;
  nthread: number;
  bitRate: number;
  width: number | undefined;
  height: number | undefined;
  widthSrc: number | undefined;
  heightSrc: number | undefined;
  GOPSize: number;
  maxBframe: number;
  frameRate: [number, number];
  frameAhead: number;
  pixelFormat: PublisherPixelFormat;
  preset: X26xPreset;
  hlsTime: number;
  hlsListSize: number;
  hlsPlaylist: 'live' | 'event';
  hlsSegmentType: 'fmp4' | 'mpegts';
  timeoutMs: number;
  /** Read-only: FFmpeg's muxer, guessed from the address. */
  formatName: OutputTarget['formatName'] | undefined;
  /** Read-only: seconds to wait before pushing the next frame with `serveFrame`. */
  waitRef: number;
  /** Read-only: frameAhead in the output stream's time-base units. */
  ptsAhead: number;
}

/** Everything `open()` needs, every value known. */
export type PublisherConfig = Omit<PublisherParameterValues, 'address' | 'formatName' | 'waitRef' | 'ptsAhead'> &
  HlsSettings & {
    address: string;
    target: OutputTarget;
    width: number;
    height: number;
    widthSrc: number;
    heightSrc: number;
  };

export const READ_ONLY_PARAMETERS = ['formatName', 'waitRef', 'ptsAhead'] as const;
/** The only parameters that may change while open: pacing, and the address the next `open()` uses. */
export const CHANGEABLE_WHILE_OPEN: ReadonlySet<string> = new Set(['frameAhead', 'address']);

type Check = (field: string, value: unknown) => unknown;

const MAX_SIDE = 8192;
/** Long enough for a loaded server's handshake, short enough that a frozen one is noticed. */
const DEFAULT_TIMEOUT_MS = 10_000;

const CHECKS: Record<keyof PublisherParameters, Check> = {
  address: (field, value) => {
    if (typeof value !== 'string' || value.trim() === '')
      throw invalidArgument(field, `expected a URL or path, got ${show(value)}`);
    guessOutput(value);
    return value;
  },
  codecName: (field, value) => oneOf(field, value, PUBLISHER_CODECS),
  nthread: (field, value) => integer(field, value, 0, 64),
  bitRate: (field, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1_000_000) {
      throw invalidArgument(field, `expected kbit/s from 0 (constant quality) to 1000000, got ${show(value)}`);
    }
    return value;
  },
  width: (field, value) => evenSide(field, value),
  height: (field, value) => evenSide(field, value),
  widthSrc: (field, value) => integer(field, value, 2, MAX_SIDE),
  heightSrc: (field, value) => integer(field, value, 2, MAX_SIDE),
  GOPSize: (field, value) => integer(field, value, 1, 10_000),
  maxBframe: (field, value) => integer(field, value, 0, 16),
  frameRate: (field, value) => frameRate(field, value),
  frameAhead: (field, value) => integer(field, value, 1, 100_000),
  pixelFormat: (field, value) => oneOf(field, value, PUBLISHER_PIXEL_FORMATS),
  preset: (field, value) => oneOf(field, value, X26X_PRESETS),
  hlsTime: (field, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0.1 || value > 60) {
      throw invalidArgument(field, `expected seconds from 0.1 to 60, got ${show(value)}`);
    }
    return value;
  },
  hlsListSize: (field, value) => integer(field, value, 1, 10_000),
  hlsPlaylist: (field, value) => oneOf(field, value, ['live', 'event'] as const),
  hlsSegmentType: (field, value) => oneOf(field, value, ['fmp4', 'mpegts'] as const),
  timeoutMs: (field, value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 600_000) {
      throw invalidArgument(field, `expected whole milliseconds from 100 to 600000 (10 min), got ${show(value)}`);
    }
    return value;
  },
};

export const PARAMETER_NAMES = Object.keys(CHECKS) as Array<keyof PublisherParameters>;
const ALL_NAMES = [...PARAMETER_NAMES, 'source', ...READ_ONLY_PARAMETERS];

/** Checks every key and value of a `setParameter` call (without `source`); throws on the first wrong one. */
export function validateParameters(input: object): PublisherParameters {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'source' || value === undefined) continue;
    if ((READ_ONLY_PARAMETERS as readonly string[]).includes(key)) {
      throw invalidArgument(key, 'is read-only; it follows from address, frameAhead and the playback clock');
    }
    const check = (CHECKS as Record<string, Check | undefined>)[key];
    if (check === undefined) throw unknownParameter(key);
    const checked = check(key, value);
    out[key] = Array.isArray(checked) ? [...(checked as number[])] : checked;
  }
  return out as PublisherParameters;
}

/** A probed source's values, each checked like the parameter it fills; values that do not fit are left out. */
export function sanitizeSource(source: SourceDescription): SourceDescription {
  const out: SourceDescription = {};
  for (const key of ['width', 'height', 'frameRate', 'bitRate'] as const) {
    if (source[key] === undefined) continue;
    try {
      Object.assign(out, { [key]: CHECKS[key](key, source[key]) });
    } catch {
      // An odd-sized or exotic source still lends what it can; the user sets the rest.
    }
  }
  return out;
}

export function unknownParameter(name: string): VigilError {
  return new VigilError('UNKNOWN_FIELD', `${name}: unknown parameter; use one of ${ALL_NAMES.join(', ')}`, {
    field: name,
  });
}

/** The values in force: explicit, then source, then defaults; sizes stay undefined until something sets them. */
export function resolveValues(
  explicit: PublisherParameters,
  source: SourceDescription,
): Omit<PublisherParameterValues, 'waitRef' | 'ptsAhead'> {
  const frameRate = [...(explicit.frameRate ?? source.frameRate ?? [25, 1])] as [number, number];
  const hlsTime = explicit.hlsTime ?? 2;
  const GOPSize = explicit.GOPSize ?? Math.max(1, Math.round((frameRate[0] / frameRate[1]) * hlsTime));
  const width = explicit.width ?? source.width ?? explicit.widthSrc;
  const height = explicit.height ?? source.height ?? explicit.heightSrc;
  return {
    address: explicit.address,
    codecName: explicit.codecName ?? 'libx264',
    nthread: explicit.nthread ?? 0,
    bitRate: explicit.bitRate ?? source.bitRate ?? 0,
    width,
    height,
    widthSrc: explicit.widthSrc ?? width,
    heightSrc: explicit.heightSrc ?? height,
    GOPSize,
    maxBframe: explicit.maxBframe ?? 0,
    frameRate,
    frameAhead: explicit.frameAhead ?? GOPSize,
    pixelFormat: explicit.pixelFormat ?? 'rgb24',
    preset: explicit.preset ?? 'veryfast',
    hlsTime,
    hlsListSize: explicit.hlsListSize ?? 6,
    hlsPlaylist: explicit.hlsPlaylist ?? 'live',
    hlsSegmentType: explicit.hlsSegmentType ?? 'fmp4',
    timeoutMs: explicit.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    formatName: explicit.address === undefined ? undefined : guessOutput(explicit.address).formatName,
  };
}

/**
 * Checks what only the parameters together can tell (a planar frame needs even
 * sides); `changed` names the keys just set, so the message names one of them.
 */
export function checkCombination(values: ReturnType<typeof resolveValues>, changed: readonly string[]): void {
  if (values.pixelFormat !== 'yuv420p') return;
  for (const side of ['widthSrc', 'heightSrc'] as const) {
    const value = values[side];
    if (value === undefined || value % 2 === 0) continue;
    const field = changed.includes(side) || !changed.includes('pixelFormat') ? side : 'pixelFormat';
    throw invalidArgument(
      field,
      `${side} ${value} is odd; yuv420p frames need an even ${side === 'widthSrc' ? 'width' : 'height'} (or use pixelFormat rgb24, rgba or bgr24)`,
    );
  }
}

/** The configuration `open()` uses; throws naming the first parameter still missing. */
export function completeConfig(values: ReturnType<typeof resolveValues>): PublisherConfig {
  const { address, width, height, widthSrc, heightSrc } = values;
  if (address === undefined) throw missing('address', 'pass one to open() or set address');
  if (width === undefined) throw missing('width', 'set width (or widthSrc, or a source to copy it from)');
  if (height === undefined) throw missing('height', 'set height (or heightSrc, or a source to copy it from)');
  return {
    ...values,
    address,
    width,
    height,
    widthSrc: widthSrc ?? width,
    heightSrc: heightSrc ?? height,
    target: guessOutput(address),
  };
}

function missing(field: string, fix: string): VigilError {
  return invalidArgument(field, `not set; ${fix}`);
}

function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(field, `expected an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

function evenSide(field: string, value: unknown): number {
  const side = integer(field, value, 2, MAX_SIDE);
  if (side % 2 !== 0) throw invalidArgument(field, `${side} is odd; the encoded picture (yuv420p) needs an even size`);
  return side;
}

function oneOf<const T extends readonly string[]>(field: string, value: unknown, allowed: T): T[number] {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalidArgument(field, `${show(value)} is not allowed; use one of ${allowed.join(', ')}`);
  }
  return value;
}

function frameRate(field: string, value: unknown): [number, number] {
  const fix = 'give [numerator, denominator] as positive integers, e.g. [25, 1] or [30000, 1001], at most 240 fps';
  if (!Array.isArray(value) || value.length !== 2)
    throw invalidArgument(field, `expected [num, den], got ${show(value)}; ${fix}`);
  const [num, den] = value as unknown[];
  if (
    typeof num !== 'number' ||
    typeof den !== 'number' ||
    !Number.isInteger(num) ||
    !Number.isInteger(den) ||
    num < 1 ||
    den < 1 ||
    num / den > 240
  ) {
    throw invalidArgument(field, `${show(value)} is not a frame rate; ${fix}`);
  }
  return [num, den];
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
