export type {
  AudioMode,
  AudioSpec,
  CustomArg,
  ExportJobDraft,
  ExportJobRequest,
  ExportJobSpec,
  ExportJobWireRequest,
  ExportOptions,
  ExportRequestContext,
  ExportTarget,
  ExportWireOptions,
  JobContainer,
  TranscodeSpec,
  VideoCodec,
  WatermarkAlign,
} from './types.js';
export { normalizeExportRequest, TASK_ID_PATTERN } from './normalize-request.js';
export { diskPathIo, prepareExportJob, prepareLibraryExportJob, type ExportPathIo } from './prepare-job.js';
export { wireRequestFromLibrary } from './library-input.js';
export { customArgsToArgv } from './custom-args.js';
export { DEFAULT_FILE_NAME_TEMPLATE, FILE_NAME_PLACEHOLDERS, checkFileNameTemplate } from './file-name.js';
export { MAX_TIMELAPSE_FACTOR, SUPPORTED_RESOLUTIONS, SUPPORTED_VIDEO_BITRATES_KBPS } from './option-values.js';
export { DEFAULT_DURATION_SECONDS } from './export-range.js';
