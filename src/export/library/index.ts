/** The library face of export jobs: `VideoExporter` and `ExportStatus`, after the reference export module. */
export { ExportStatus, type ExportStatusTable } from './export-status.js';
export { VideoExporter, type VideoExporterOptions } from './video-exporter.js';
export { errorFromResponse, type ServerTarget } from './http-client.js';
export { openLocalExportJobs, type LocalExportJobs } from './local-export-jobs.js';
export type { ExportCallback, ExportCallOptions, ExportProgressCallback, ExportResult, ExportTask } from './types.js';
