export type {
  ByteSource,
  ExportContainer,
  ExportRequest,
  Fmp4Layout,
  GapMode,
  MetadataOptions,
  PlanInput,
  PlannedExport,
  RecordedPiece,
  SampleSelection,
  SegmentByteReader,
  SegmentFileRef,
  ServedBytes,
  TrackSamples,
  VirtualFile,
  VirtualFileLayout,
} from './types.js';
export { selectSamples, type SelectOptions } from './select-samples.js';
export { buildProgressiveMp4, MP4_CONTENT_TYPE } from './progressive-mp4.js';
export { buildFragmentedMp4 } from './fragmented-mp4.js';
export { exportEtag, planExport, type ExportSource } from './plan-export.js';
export { formatWallClock } from './export-metadata.js';
export { readVirtualFile } from './virtual-file.js';
