export { Archive, type ArchiveOptions } from './archive.js';
export type {
  ArchiveWriter,
  FragmentRecord,
  EventBox,
  EventSeverity,
  LockRecord,
  NewFragment,
  NewSegment,
  NewStreamEvent,
  RecordedRange,
  SegmentAppender,
  SegmentByteReader,
  SegmentFileRef,
  SegmentRecord,
  StreamEventRecord,
} from './types.js';
export { EVENT_LIMITS, EVENT_SEVERITIES, parseSeverity, severityTitle } from './event-check.js';
export { computeRanges, DEFAULT_GAP_TOLERANCE_US } from './ranges.js';
export {
  planRetention,
  type RetentionDeletion,
  type RetentionInput,
  type RetentionPlan,
  type RetentionPolicy,
  type RetentionPressure,
  type RetentionReason,
} from './retention-plan.js';
export {
  RetentionRunner,
  type RetentionLogger,
  type RetentionRunnerOptions,
  type RetentionRunResult,
} from './retention-runner.js';
export { checkStreamName, parseSegmentPath, resolveInsideRoot, segmentRelativePath } from './layout.js';
export { fragmentTimesUs, startsWithKeyframe, timingTrack } from './fragment-time.js';
export { planUnlock } from './lock-intervals.js';
export { filesystemUsage, readSlice, type FilesystemUsage } from './local-store.js';
export type { RecoveryReport } from './recovery.js';
export type { StreamDepth } from './index/segments.repo.js';
export { LocalSegmentReader } from './segment-reader.js';
