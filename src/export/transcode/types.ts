/**
 * The transcode runner's contracts. A transcode is planned by a pure function
 * (options + what the input is → filter graphs and encoder settings) and run
 * in a child process that can be killed:
 *
 *   TranscodeOptions ──buildTranscodePlan(options, input)──▶ TranscodePlan ──child.ts──▶ output file
 *
 * Times on the input timeline are seconds from the input's first frame (the
 * export's output timeline, gaps already collapsed); a timelapse divides them.
 */

import type { Chapter } from '../../mp4/boxes/chapters.js';

export type TranscodeVideoCodec = 'h264' | 'h265' | 'mpeg4' | 'wmv';
/** `copy`: the video packets go into the output untouched (no decoder, no encoder). */
export type TranscodeVideoMode = TranscodeVideoCodec | 'copy';
export type TranscodeContainer = 'mp4' | 'mkv' | 'ts' | 'avi';
export type AudioMode = 'drop' | 'copy' | 'pcm' | 'wma' | 'aac';
export type Flip = 'none' | 'h' | 'v' | 'both';
export type Rotation = 0 | 90 | 180 | 270;
/** 0 and 1 top-left, 2 top-right, 3 bottom-left, 4 bottom-right (the reference module's `watermark_align`). */
export type WatermarkAlign = 0 | 1 | 2 | 3 | 4;

/** A recorded stretch of the input: where it starts on the input timeline and the wall-clock instant it shows there. */
export interface WallClockPiece {
  outputStartS: number;
  utcStartMs: number;
}

export interface TimestampWatermark {
  /** IANA zone the time is shown in (`Europe/Berlin`). */
  timeZone: string;
  /** In input order; each frame shows the time of the last piece that starts at or before it. */
  pieces: WallClockPiece[];
}

/** A box drawn over the picture from `startS` to `endS` (input timeline); x, y, w, h are fractions of the picture. */
export interface Figure {
  x: number;
  y: number;
  w: number;
  h: number;
  startS: number;
  endS: number;
}

export interface TranscodeAudio {
  mode: AudioMode;
  /** For `aac` and `wma`; default: the source's bitrate, else 128. */
  bitrateKbps?: number;
}

/**
 * One custom encoder argument as the ffmpeg CLI spells it (`-crf` `30`;
 * `value` absent for a flag such as `-an`). The request layer has checked it
 * (custom-args.ts); the plan maps it onto the encoder, the filter graph or the
 * muxer (custom-encoder-args.ts).
 */
export interface EncoderArg {
  option: string;
  value?: string;
}

export interface TranscodeOptions {
  /** `copy` remuxes the video; every picture option (size, bitrate, watermarks, flip/rotate, timelapse) then is an error. */
  videoCodec: TranscodeVideoMode;
  /** Default: the source's bitrate when known, else the encoder's own rate control. */
  videoBitrateKbps?: number;
  /** Output size after flip/rotate; one of them alone keeps the aspect. Default: the source's. */
  width?: number;
  height?: number;
  audio: TranscodeAudio;
  flip?: Flip;
  rotate?: Rotation;
  /** Drawn as is (no `%{…}` expansion). */
  channelNameWatermark?: string;
  timestampWatermark?: TimestampWatermark;
  /** Default 0 (top-left). The channel name goes on the first line, the time under it. */
  watermarkAlign?: WatermarkAlign;
  figures?: Figure[];
  /** Speed factor (> 1): output duration = input / factor, audio dropped. */
  timelapse?: number;
  container: TranscodeContainer;
  /** Try a hardware H.264/H.265 encoder first when a device is there; the CPU encoder if it fails. */
  hardware?: boolean;
  /** Encoder threads (0: FFmpeg picks), default 0. */
  threads?: number;
  /**
   * Chapters to write into an MP4 or MKV output (MPEG-TS and AVI have no
   * chapters: ignored there). startUs is on the input timeline; a timelapse
   * divides it by its factor.
   */
  chapters?: Chapter[];
  /** In order; later ones win over the plan's own settings. Never with hardware encoders. */
  customArgs?: EncoderArg[];
}

/** What the plan needs to know about the input (the child probes it). */
export interface TranscodeInputInfo {
  /** FFmpeg's name of the video codec (`h264`, `hevc`), when known: what a copy carries. */
  codec?: string;
  width: number;
  height: number;
  /** Frames per second of the video. */
  fps: number;
  hasAudio: boolean;
  durationS: number;
  /** Frames from one keyframe to the next, when known: a timelapse decodes keyframes only when the factor covers it. */
  keyframeIntervalFrames?: number;
  videoBitrateKbps?: number;
  audioBitrateKbps?: number;
}

/** Encoder options as FFmpeg names them (`preset`, `b`, `g`): what `-c:v x -opt v` would set. */
export type CodecOptions = Record<string, string>;

export interface TranscodePlan {
  /** A filter graph description with one video input and output (`-vf`). */
  videoFilter: string;
  video: {
    /** `copy` (VIDEO_COPY): packets are remuxed, videoFilter is empty and options are unused. */
    encoder: string;
    options: CodecOptions;
    /** Frame rate of the output (the encoder's time base is its inverse). */
    fps: number;
    /** Output picture size. */
    width: number;
    height: number;
    /** FourCC the container should carry (`hvc1` for H.265 in MP4). */
    codecTag?: string;
  };
  /** Decode keyframes only (`-skip_frame nokey`): a timelapse that drops more frames than a GOP holds. */
  keyframesOnly: boolean;
  /** Absent when the output has no audio. `copy` copies packets; otherwise the filter (`-af`) and encoder. */
  audio?: { kind: 'copy' } | { kind: 'encode'; filter: string; encoder: string; options: CodecOptions };
  muxer: { format: string; options: CodecOptions };
  /** Expected output duration: progress counts against it. */
  outputDurationS: number;
  /** On the output timeline, sorted, inside it; empty for containers without chapters. */
  chapters: Chapter[];
}

export type TranscodeStep = 'encoding' | 'encoding_retry';

export interface TranscodeProgress {
  step: TranscodeStep;
  /** Output seconds written so far, and expected in all (never goes backwards). */
  doneS: number;
  totalS: number;
}

export interface TranscodeInput {
  /** A fragmented MP4 byte stream, piped into the child with backpressure. */
  bytes?: AsyncIterable<Uint8Array>;
  /** Or a media file the child reads itself. */
  path?: string;
  /** Seconds of media in the input, when the caller knows (a piped fMP4 does not say); else the child probes. */
  durationS?: number;
}

export interface RunTranscodeArgs {
  input: TranscodeInput;
  /** Written by the child; on failure or cancel a partial file is removed. Renaming it is the caller's job. */
  outputPath: string;
  options: TranscodeOptions;
  signal?: AbortSignal;
  onProgress?: (progress: TranscodeProgress) => void;
  /** Kill the child and fail with TIMEOUT after this long. */
  timeoutMs?: number;
}

export interface TranscodeResult {
  /** The encoder that made the video (`libx264`, `h264_nvenc`…). */
  videoEncoder: string;
  outputDurationS: number;
  /** user + sys CPU seconds the child used. */
  cpuS: number;
}
