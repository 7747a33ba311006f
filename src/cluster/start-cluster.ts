/**
 * Puts a node's recording parts together for the runtime: the stream
 * assigner (recorder nodes only) and the cluster-wide RecordingControl.
 * Retention leadership (retention-leader.ts) is separate: the runtime wires
 * it into the retention runner.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../archive/index/database.js';
import type { ArchiveWriter } from '../archive/types.js';
import type { ClusterNodeConfig } from '../config/cluster-schema.js';
import type { StreamDefinition } from '../config/stream-types.js';
import type { RecordingControl } from '../record/types.js';
import { ClusterRecordingControl } from './cluster-recording.js';
import { type ClusterLogger, StreamAssigner, type StreamDefinitions } from './stream-assigner.js';

export interface ClusterRecordingStartOptions {
  db: Kysely<Database>;
  archive: ArchiveWriter & StreamDefinitions;
  node: ClusterNodeConfig;
  logger: ClusterLogger;
  /** Builds the node's RecordingManager over the fenced writer it is given. */
  createRecording: (fenced: ArchiveWriter) => RecordingControl;
  /** False for a definition this node must not record. */
  wants?: (def: StreamDefinition) => boolean;
}

export interface ClusterRecording {
  /** What the API's `recording` dependency is on this node. */
  control: ClusterRecordingControl;
  /** Stops this node's recorders and gives its leases back. */
  stop(): Promise<void>;
}

/** Builds and starts the node's cluster parts; the first assignment round has run when this resolves. */
export async function startClusterRecording(opts: ClusterRecordingStartOptions): Promise<ClusterRecording> {
  const { db, node, logger } = opts;
  const assigner = node.roles.has('recorder')
    ? new StreamAssigner({
        db,
        streams: opts.archive,
        archive: opts.archive,
        createRecording: opts.createRecording,
        nodeId: node.id,
        roles: node.roles,
        leaseSeconds: node.leaseSeconds,
        logger,
        ...(opts.wants === undefined ? {} : { wants: opts.wants }),
      })
    : undefined;
  const control = new ClusterRecordingControl({
    db,
    nodeId: node.id,
    leaseSeconds: node.leaseSeconds,
    logger,
    ...(assigner === undefined ? {} : { assigner }),
  });
  try {
    await control.start();
  } catch (err) {
    await control.stopAll().catch(() => undefined);
    throw err;
  }
  logger.info({ node: node.id, roles: [...node.roles], leaseSeconds: node.leaseSeconds }, 'cluster node started');
  return { control, stop: () => control.stopAll() };
}
