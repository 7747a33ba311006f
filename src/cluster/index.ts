/**
 * Cluster mode: which recorder node records each stream (leases in the
 * shared index, with a generation that fences index writes), RecordingControl
 * across nodes, and which node runs retention.
 */
export { ClusterRecordingControl } from './cluster-recording.js';
export type { ClusterRecordingOptions } from './cluster-recording.js';
export { FencedArchiveWriter } from './fenced-writer.js';
export type { LeaseFence } from './fenced-writer.js';
export {
  fairShare,
  isLeaseExpired,
  leaseDurationUs,
  planAssignment,
  rendezvousScore,
  renewIntervalMs,
} from './lease-plan.js';
export type { AssignmentInput, AssignmentPlan, LeaseView } from './lease-plan.js';
export { acquireLease, isLeaseCurrent, listLeases, releaseLease, renewLease } from './leases.repo.js';
export type { LeaseClaim, LeaseHold, LeaseRecord } from './leases.repo.js';
export { parseRecorderStates, serializeRecorderStates } from './published-state.js';
export type { ClusterRecorderState } from './published-state.js';
export { retentionLeadership } from './retention-leader.js';
export type { Leadership } from './retention-leader.js';
export { StreamAssigner } from './stream-assigner.js';
export type { ClusterLogger, StreamAssignerOptions, StreamDefinitions } from './stream-assigner.js';
export { startClusterRecording } from './start-cluster.js';
export type { ClusterRecording, ClusterRecordingStartOptions } from './start-cluster.js';
