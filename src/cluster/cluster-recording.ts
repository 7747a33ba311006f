/**
 * RecordingControl on a cluster node (the admin stream routes drive it). The
 * route has already saved the definition in the shared index; this tells the
 * local assigner, when the node records, and the node that holds the stream
 * (this one or another) follows within one renewal period. `states` answers
 * for every stream: from this node's recorders when it records the stream,
 * else from the state its recorder node published in the lease row.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../archive/index/database.js';
import type { StreamDefinition } from '../config/stream-types.js';
import type { RecordingControl } from '../record/types.js';
import { nowUs } from '../time.js';
import { isLeaseExpired, renewIntervalMs } from './lease-plan.js';
import { type LeaseRecord, listLeases } from './leases.repo.js';
import { type ClusterRecorderState, parseRecorderStates } from './published-state.js';
import type { ClusterLogger, StreamAssigner } from './stream-assigner.js';

export interface ClusterRecordingOptions {
  db: Kysely<Database>;
  nodeId: string;
  leaseSeconds: number;
  logger: ClusterLogger;
  /** This node's assigner (and through it its recorders); undefined on a node without the recorder role. */
  assigner?: StreamAssigner;
  now?: () => number;
}

export class ClusterRecordingControl implements RecordingControl {
  readonly #opts: ClusterRecordingOptions;
  readonly #now: () => number;
  #leases = new Map<string, LeaseRecord>();
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: ClusterRecordingOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? nowUs;
  }

  /** Starts the assigner (if any) and the lease-row refresh behind `states`. */
  async start(): Promise<void> {
    await this.#opts.assigner?.start();
    await this.refresh();
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.#opts.logger.warn({ err }, 'reading stream leases failed'));
    }, renewIntervalMs(this.#opts.leaseSeconds));
    this.#timer.unref();
  }

  /** Re-reads the lease rows `states` answers from. */
  async refresh(): Promise<void> {
    this.#leases = new Map((await listLeases(this.#opts.db)).map((l) => [l.stream, l]));
  }

  async apply(def: StreamDefinition): Promise<void> {
    await this.#opts.assigner?.definitionChanged(def);
  }

  async remove(name: string): Promise<void> {
    await this.#opts.assigner?.streamRemoved(name);
  }

  states(name: string): ClusterRecorderState[] {
    const { assigner, nodeId } = this.#opts;
    if (assigner?.holds(name) === true) {
      return assigner.recording.states(name).map((s) => ({ ...s, node: nodeId }));
    }
    const lease = this.#leases.get(name);
    if (lease === undefined || isLeaseExpired(lease, this.#now()) || lease.node === nodeId) return [];
    return parseRecorderStates(lease.stateJson, lease.node);
  }

  /** Stops this node's recorders and gives their leases back. */
  async stopAll(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#opts.assigner?.stop();
  }
}
