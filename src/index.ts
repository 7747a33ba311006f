/** Vigil as a library: the server runtime, the archive, configuration and the shared types. */
export {
  VigilError,
  errorTable,
  invalidArgument,
  isVigilError,
  type ErrorCode,
  type VigilErrorOptions,
} from './errors.js';
export { nowUs, parseDurationToUs, parseTimeToUs, secondsToUs, usToIso, usToSeconds, US_PER_SECOND } from './time.js';
export {
  loadConfig,
  streamToWire,
  toStreamDefinition,
  StreamWireSchema,
  type AdminCredentials,
  type ConfigOverrides,
  type LoadConfigOptions,
  type StreamWire,
  type StreamWireOutput,
  type VigilConfig,
} from './config/index.js';
export {
  SOURCE_SCHEMES,
  STREAM_NAME_PATTERN,
  type AudioHandling,
  type DvrSettings,
  type Flip,
  type Rotate,
  type RtspTransport,
  type SourceScheme,
  type StreamDefinition,
  type Variant,
} from './config/stream-types.js';
export {
  Archive,
  RetentionRunner,
  type ArchiveOptions,
  type LockRecord,
  type RecordedRange,
  type SegmentRecord,
} from './archive/index.js';
export { RecordingManager, importFiles, type RecorderState, type RecordingControl } from './record/index.js';
export { createMediaEngine, type MediaEngine } from './media/index.js';
export { buildApp, type VigilApp } from './serve/app.js';
export type { AdminAuth, AppDeps, ArchiveApi } from './serve/deps.js';
export {
  ExportStatus,
  VideoExporter,
  openLocalExportJobs,
  errorFromResponse,
  type ExportStatusTable,
  type VideoExporterOptions,
  type ServerTarget,
  type LocalExportJobs,
  type ExportCallback,
  type ExportCallOptions,
  type ExportProgressCallback,
  type ExportResult,
  type ExportTask,
} from './export/library/index.js';
export {
  StreamPublisher,
  paintTestFrame,
  probeSource,
  type PublisherParameters,
  type PublisherParameterValues,
  type PublisherCounters,
  type PublisherState,
} from './publish/index.js';
export { startVigil, DEMO_STREAM, type RunningVigil, type StartOptions } from './runtime.js';
