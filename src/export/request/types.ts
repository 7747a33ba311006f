/**
 * An export job request, from what a user sends to the normalized job spec
 * the queue and the transcoder run:
 *
 *   ExportJobRequest (library, camelCase) ──wireRequestFromLibrary──┐
 *   ExportJobWireRequest (REST, snake_case) ────────────────────────┴─▶ normalizeExportRequest (pure)
 *        ─▶ ExportJobDraft ──prepareExportJob (realpath, free name)──▶ ExportJobSpec
 *
 * Times are UTC microseconds; bitrates kbit/s. Error fields are always the
 * wire names (`options.video_codec`), whichever face the request came from.
 */
import type { Variant } from '../../config/stream-types.js';

/** Output containers of an export job (the HTTP media URLs have their own, smaller set). */
export type JobContainer = 'mp4' | 'mkv' | 'ts' | 'avi';
export type VideoCodec = 'h264' | 'h265' | 'mpeg4' | 'wmv';
/** `copy`: keep the source audio as recorded. */
export type AudioMode = 'drop' | 'copy' | 'pcm' | 'wma' | 'aac';
/** 1 top-left (the reference's 0 means the same and is normalized to 1), 2 top-right, 3 bottom-left, 4 bottom-right. */
export type WatermarkAlign = 1 | 2 | 3 | 4;

export interface AudioSpec {
  mode: AudioMode;
  /** 64 or 128, only for `wma` and `aac`; absent means the source's bitrate. */
  bitrateKbps?: 64 | 128;
}

/** One custom encoder option and its value (absent for a flag such as `-an`). */
export interface CustomArg {
  option: string;
  value?: string;
}

export interface TranscodeSpec {
  videoCodec: VideoCodec;
  /** Snapped to SUPPORTED_VIDEO_BITRATES_KBPS; absent means the source's bitrate. */
  videoBitrateKbps?: number;
  /** One of SUPPORTED_RESOLUTIONS; absent means the source's size. */
  resolution?: { width: number; height: number };
  /** Apply the stream's flip/rotate settings. */
  flipRotate: boolean;
  /** Draw the stream's title. */
  channelNameWatermark: boolean;
  /** Draw each frame's wall-clock time in ExportJobSpec.timeZone. */
  timestampWatermark: boolean;
  watermarkAlign: WatermarkAlign;
  /** Draw the boxes of the events recorded in the range. */
  figures: boolean;
  /** Speed factor (> 1); audio is then always dropped. */
  timelapseFactor?: number;
  /** Checked against the allowlist unless an admin sent them; empty when none. */
  customArgs: CustomArg[];
}

export interface ExportJobSpec {
  taskId: string;
  stream: string;
  variant: Variant;
  fromUs: number;
  /** After fromUs; may be later than the job's start time (what is recorded when it runs is exported). */
  toUs: number;
  container: JobContainer;
  /** Base name of filePath. */
  fileName: string;
  /** Absolute; inside exportRoot (symlinks resolved); no file existed there when the job was prepared. */
  filePath: string;
  /** The configured export root that holds filePath. */
  exportRoot: string;
  /** IANA zone the file name and the timestamp watermark use. */
  timeZone: string;
  /** Only the archive for now; a camera's own storage is refused with NOT_IMPLEMENTED. */
  source: 'archive';
  /**
   * Audio is decided apart from video: the reference converts or drops audio
   * whether or not the video is re-encoded.
   */
  audio: AudioSpec;
  /** `null`: the video is copied as recorded, and every transcode-only option was ignored. */
  transcode: TranscodeSpec | null;
}

/** Where the file goes, before symlinks are resolved and a free name is picked. */
export interface ExportTarget {
  root: string;
  /** Absolute, lexically inside root. */
  directory: string;
  /** Sanitized, with the container's extension. */
  fileName: string;
}

/** What the pure normalizer returns: a spec still waiting for its final path. */
export type ExportJobDraft = Omit<ExportJobSpec, 'fileName' | 'filePath' | 'exportRoot'> & { target: ExportTarget };

/** Options as the REST API receives them (the reference module's names). `null` means absent. */
export interface ExportWireOptions {
  video_codec?: string | null;
  video_bitrate?: number | string | null;
  video_resolution?: string | null;
  audio_codec?: string | null;
  audio_bitrate?: number | string | null;
  need_fliprotate?: boolean | null;
  need_channel_name_watermark?: boolean | null;
  need_timestamp_watermark?: boolean | null;
  watermark_align?: number | string | null;
  watermark_need_figures?: boolean | null;
  timelapse?: number | string | null;
  /** `archive` (default) or `camera`. */
  source?: string | null;
  /** The reference's name for `source: "camera"`. */
  is_hardware?: boolean | null;
  custom_args?: string[] | null;
}

/** The body of `POST /api/v1/exports`. */
export interface ExportJobWireRequest {
  stream: string;
  /** Unix seconds or ISO 8601 with a zone. */
  start: number | string;
  end?: number | string | null;
  /** Seconds; 60 when neither end nor duration is given. */
  duration?: number | string | null;
  prefer_substream?: boolean | null;
  file_name?: string | null;
  /** A directory or a full file path, relative to the first export root or absolute inside one. */
  file_path?: string | null;
  container?: string | null;
  /** IANA zone for the file name and the timestamp watermark; the configured one when absent. */
  tz?: string | null;
  task_id?: string | null;
  options?: ExportWireOptions | null;
}

/** The same options in the library's camelCase. */
export interface ExportOptions {
  videoCodec?: string | null;
  videoBitrate?: number | string | null;
  videoResolution?: string | null;
  audioCodec?: string | null;
  audioBitrate?: number | string | null;
  needFliprotate?: boolean | null;
  needChannelNameWatermark?: boolean | null;
  needTimestampWatermark?: boolean | null;
  watermarkAlign?: number | string | null;
  watermarkNeedFigures?: boolean | null;
  timelapse?: number | string | null;
  source?: string | null;
  isHardware?: boolean | null;
  customArgs?: string[] | null;
}

/** What `VideoExporter.export(channel, dtStart, { … })` receives, gathered in one object. */
export interface ExportJobRequest {
  stream: string;
  dtStart: Date | number | string;
  dtEnd?: Date | number | string | null;
  duration?: number | string | null;
  preferSubstream?: boolean | null;
  fileName?: string | null;
  filePath?: string | null;
  container?: string | null;
  tz?: string | null;
  taskGuid?: string | null;
  options?: ExportOptions | null;
}

/** What the normalizer needs from the server: configuration, the caller, and injected clock and ids. */
export interface ExportRequestContext {
  nowUs: number;
  /** The configured IANA zone (config `timezone`). */
  timeZone: string;
  /** Absolute paths; the first is the default export folder, and relative file paths start there. */
  exportRoots: readonly string[];
  /** DEFAULT_FILE_NAME_TEMPLATE when absent. */
  fileNameTemplate?: string;
  /** Admins may pass any custom encoder argument except those the job owns. */
  isAdmin: boolean;
  /** The stream's title, or undefined when no stream has that name. */
  findStream(name: string): { title: string } | undefined;
  newTaskId(): string;
}
