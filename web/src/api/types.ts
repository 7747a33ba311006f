/** The API's shapes as the UI reads them (README: Admin API, Export jobs, Events, access contract). */

export type Role = 'viewer' | 'operator' | 'admin';

export interface Session {
  user: string;
  role: Role;
  /** null: every stream. */
  streams: string[] | null;
  csrf_token: string;
}

export type RecorderStatus = 'disabled' | 'stopped' | 'connecting' | 'recording' | 'retrying';

export interface RecorderError {
  code: string;
  message: string;
  /** Unix seconds */
  at: number;
}

export interface StreamView {
  name: string;
  title: string;
  enabled: boolean;
  state: {
    status: RecorderStatus;
    last_error?: RecorderError;
    recorders: { variant: 'main' | 'sub'; status: RecorderStatus; next_attempt_at?: number; last_packet_at?: number }[];
  };
  archive: { from?: number; to?: number; depth: number };
}

/** Unix seconds and seconds, as every range route answers. */
export interface WireRange {
  from: number;
  duration: number;
}

export interface StreamEvent {
  id: number;
  stream: string;
  start: number;
  end: number;
  label: string;
  severity: string;
}

export type ExportState = 'in_queue' | 'exporting' | 'success' | 'error' | 'canceled';

export interface ExportJob {
  id: string;
  state: ExportState;
  step: string | null;
  percent: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: { code: string; message: string } | null;
  file_path: string;
  file_name: string;
  bytes: number | null;
  stream: string;
  /** ISO 8601 */
  from: string;
  to: string;
  container: string;
  transcode: boolean;
}

export type ExportContainer = 'mp4' | 'mkv' | 'ts' | 'avi';

export interface ExportOptions {
  video_codec?: string;
  video_bitrate?: number;
  video_resolution?: string;
  audio_codec?: string;
  audio_bitrate?: number;
  need_channel_name_watermark?: boolean;
  need_timestamp_watermark?: boolean;
  watermark_need_figures?: boolean;
  watermark_align?: number;
  timelapse?: number;
}

export interface ExportRequest {
  stream: string;
  start: number;
  end: number;
  container: ExportContainer;
  tz: string;
  file_name?: string;
  options?: ExportOptions;
}

/** `export.state` / `export.progress` / `export.removed` from `GET /api/v1/events`. */
export type ExportEvent =
  | { type: 'state'; job: ExportJob }
  | { type: 'progress'; id: string; step: string | null; percent: number }
  | { type: 'removed'; id: string };

/** Option values the export jobs accept (src/export/request/option-values.ts). */
export const VIDEO_CODECS = ['h264', 'h265', 'mpeg4', 'wmv'] as const;
export const VIDEO_BITRATES_KBPS = [200, 400, 600, 800, 1000, 2000, 2500, 3000, 5000, 7500, 10000, 16000] as const;
export const VIDEO_RESOLUTIONS = [
  '2560x1920',
  '2048x1536',
  '1920x1080',
  '1600x1200',
  '1280x1024',
  '1280x960',
  '1280x720',
  '1024x768',
  '800x600',
  '720x576',
  '704x576',
  '640x480',
  '352x288',
  '320x240',
  '176x144',
] as const;
export const AUDIO_CODECS = ['copy', 'no audio', 'aac', 'pcm', 'wma'] as const;
export const CONTAINERS: readonly ExportContainer[] = ['mp4', 'mkv', 'ts', 'avi'];
