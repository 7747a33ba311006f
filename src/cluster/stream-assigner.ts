/**
 * Runs on each recorder node of a cluster: every `leaseSeconds / 3` it
 * renews the leases it holds (publishing its recorders' state in them),
 * reads the stream definitions and the other nodes' leases, and follows
 * `planAssignment` (lease-plan.ts): takes free or expired streams up to its
 * fair share, sheds extras, re-applies changed definitions and drops deleted
 * or disabled ones. A lease it fails to renew, or a write the fence refused,
 * stops that stream's recorder at once.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../archive/index/database.js';
import type { ArchiveWriter } from '../archive/types.js';
import type { StreamDefinition } from '../config/stream-types.js';
import type { VigilError } from '../errors.js';
import type { RecordingControl } from '../record/types.js';
import { nowUs } from '../time.js';
import { FencedArchiveWriter, type LeaseFence } from './fenced-writer.js';
import { leaseDurationUs, planAssignment, renewIntervalMs } from './lease-plan.js';
import {
  acquireLease,
  forgetNode,
  isLeaseCurrent,
  type LeaseHold,
  type LeaseRecord,
  listLeases,
  listLiveNodes,
  releaseLease,
  renewLease,
  touchNode,
} from './leases.repo.js';
import { serializeRecorderStates } from './published-state.js';

/** The part of a pino logger the cluster code uses. */
export interface ClusterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Where definitions come from (the Archive). */
export interface StreamDefinitions {
  listStreams(): Promise<StreamDefinition[]>;
}

export interface StreamAssignerOptions {
  db: Kysely<Database>;
  streams: StreamDefinitions;
  /** The archive the recorders write to; they get it fenced by this node's leases. */
  archive: ArchiveWriter;
  /** Builds this node's recorders (a RecordingManager) over the fenced writer. */
  createRecording: (fenced: ArchiveWriter) => RecordingControl;
  nodeId: string;
  /** Written to the node's heartbeat row; `recorder` makes it count in the others' fair share. */
  roles: Iterable<string>;
  leaseSeconds: number;
  logger: ClusterLogger;
  /** False for a definition this node must not record (the built-in demo when the demo is off). */
  wants?: (def: StreamDefinition) => boolean;
  /** UTC µs clock (tests inject one). */
  now?: () => number;
}

interface Held {
  generation: number;
  /** UTC µs until which the index has it ours, as last written. */
  expiresAtUs: number;
  /** The definition the recorders were applied with, as JSON: a different one means re-apply. */
  definition: string;
}

export class StreamAssigner implements LeaseFence {
  readonly nodeId: string;
  /** This node's recorders, writing through the fence. */
  readonly recording: RecordingControl;
  readonly #opts: StreamAssignerOptions;
  readonly #now: () => number;
  readonly #leaseUs: number;
  readonly #held = new Map<string, Held>();
  #leases: LeaseRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(opts: StreamAssignerOptions) {
    this.#opts = opts;
    this.nodeId = opts.nodeId;
    this.#now = opts.now ?? nowUs;
    this.#leaseUs = leaseDurationUs(opts.leaseSeconds);
    this.recording = opts.createRecording(new FencedArchiveWriter(opts.archive, this));
  }

  /** Runs a first poll (so streams start before this returns), then one every renewal period. */
  async start(): Promise<void> {
    await this.poll();
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.poll().catch((err: unknown) => this.#opts.logger.error({ err }, 'stream assignment poll failed'));
    }, renewIntervalMs(this.#opts.leaseSeconds));
    this.#timer.unref();
  }

  /** Stops every recorder of this node, then gives its leases back so others take them at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight?.catch(() => undefined);
    await this.recording.stopAll();
    const held = [...this.#held].map(([stream, h]) => ({ stream, node: this.nodeId, generation: h.generation }));
    this.#held.clear();
    for (const hold of held) {
      await releaseLease(this.#opts.db, hold).catch((err: unknown) =>
        this.#opts.logger.warn({ err, stream: hold.stream }, 'could not release a stream lease'),
      );
    }
    await forgetNode(this.#opts.db, this.nodeId).catch(() => undefined);
  }

  /** One round of renew, plan and apply; a call during a round waits for that round. */
  poll(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#inFlight ??= this.#poll().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  holds(stream: string): boolean {
    return this.#held.has(stream);
  }

  /** Streams this node records now, by name. */
  heldStreams(): string[] {
    return [...this.#held.keys()].sort();
  }

  /** The lease rows as of the latest poll. */
  leases(): readonly LeaseRecord[] {
    return this.#leases;
  }

  /** A definition changed through this node's API: apply it now if this node records the stream, else poll. */
  async definitionChanged(def: StreamDefinition): Promise<void> {
    const held = this.#held.get(def.name);
    if (held === undefined || !this.#wants(def)) return this.poll();
    held.definition = JSON.stringify(def);
    await this.recording.apply(def);
  }

  /** A stream is being removed through this node's API: stop its recorders and give the lease back. */
  async streamRemoved(name: string): Promise<void> {
    await this.#drop(name, 'release');
  }

  // --- LeaseFence ---

  generationOf(stream: string): number | undefined {
    return this.#held.get(stream)?.generation;
  }

  isCurrent(hold: LeaseHold): Promise<boolean> {
    return isLeaseCurrent(this.#opts.db, hold, this.#now());
  }

  refused(hold: LeaseHold, error: VigilError): void {
    this.#opts.logger.error({ stream: hold.stream, generation: hold.generation, err: error }, 'index write fenced');
    if (this.#held.get(hold.stream)?.generation !== hold.generation) return;
    this.#drop(hold.stream, 'lost').catch((err: unknown) =>
      this.#opts.logger.error({ err, stream: hold.stream }, 'stopping a fenced recorder failed'),
    );
  }

  // --- the round ---

  #wants(def: StreamDefinition): boolean {
    return def.enabled && (this.#opts.wants?.(def) ?? true);
  }

  async #poll(): Promise<void> {
    const { db } = this.#opts;
    await touchNode(db, { id: this.nodeId, roles: this.#opts.roles, nowUs: this.#now() });
    await this.#renewAll();
    const defs = new Map((await this.#opts.streams.listStreams()).map((d) => [d.name, d]));
    const wanted = [...defs.values()].filter((d) => this.#wants(d)).map((d) => d.name);
    const nowAtPlan = this.#now();
    this.#leases = await listLeases(db);
    const liveNodes = await listLiveNodes(db, 'recorder', nowAtPlan - this.#leaseUs);
    const plan = planAssignment({
      nodeId: this.nodeId,
      nowUs: nowAtPlan,
      wanted,
      leases: this.#leases,
      held: new Set(this.#held.keys()),
      liveNodes,
    });
    for (const stream of plan.release) await this.#drop(stream, 'release');
    for (const stream of plan.renew) {
      const def = defs.get(stream);
      const held = this.#held.get(stream);
      if (def === undefined || held === undefined) continue;
      const definition = JSON.stringify(def);
      if (definition === held.definition) continue;
      held.definition = definition;
      await this.recording.apply(def);
    }
    for (const stream of plan.acquire) {
      const def = defs.get(stream);
      if (def === undefined || this.#stopped) continue;
      await this.#acquire(def);
    }
  }

  async #acquire(def: StreamDefinition): Promise<void> {
    const nowAt = this.#now();
    const expiresAtUs = nowAt + this.#leaseUs;
    const generation = await acquireLease(this.#opts.db, {
      stream: def.name,
      node: this.nodeId,
      nowUs: nowAt,
      expiresAtUs,
    });
    if (generation === undefined) return;
    this.#held.set(def.name, { generation, expiresAtUs, definition: JSON.stringify(def) });
    this.#opts.logger.info({ stream: def.name, node: this.nodeId, generation }, 'took the stream lease');
    await this.recording.apply(def);
  }

  async #renewAll(): Promise<void> {
    for (const [stream, held] of [...this.#held]) {
      const nowAt = this.#now();
      const expiresAtUs = nowAt + this.#leaseUs;
      let renewed: boolean;
      try {
        renewed = await renewLease(this.#opts.db, {
          stream,
          node: this.nodeId,
          generation: held.generation,
          nowUs: nowAt,
          expiresAtUs,
          stateJson: serializeRecorderStates(this.recording.states(stream)),
        });
      } catch (err) {
        // The index is unreachable: keep recording while the lease is surely ours,
        // stop before another node may take it.
        this.#opts.logger.warn({ err, stream }, 'could not renew a stream lease');
        if (nowAt + renewIntervalMs(this.#opts.leaseSeconds) * 1000 >= held.expiresAtUs) {
          await this.#drop(stream, 'lost');
        }
        continue;
      }
      if (renewed) held.expiresAtUs = expiresAtUs;
      else await this.#drop(stream, 'lost');
    }
  }

  /** Stops the stream's recorders; `release` also gives the lease back, `lost` means another node has it. */
  async #drop(stream: string, why: 'release' | 'lost'): Promise<void> {
    const held = this.#held.get(stream);
    if (held === undefined) return;
    this.#held.delete(stream);
    if (why === 'lost') {
      this.#opts.logger.warn({ stream, generation: held.generation }, 'lost the stream lease: stopping its recorders');
    }
    await this.recording.remove(stream);
    if (why === 'release') {
      await releaseLease(this.#opts.db, { stream, node: this.nodeId, generation: held.generation });
    }
  }
}
