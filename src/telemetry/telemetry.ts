/**
 * Usage metrics and event sinks as one service: the event bus, the
 * Prometheus metrics that follow it, and the configured sinks. The runtime
 * makes one, hands `observeRecorder`/`retention`/`attachExports` the parts
 * that announce things, gives the app `recordServed`, and stops it last so
 * the sinks get the shutdown's own events before they flush.
 */
import type { EventSinkConfig, EventSinkTarget } from '../config/sinks-schema.js';
import type { ExportJobEvent } from '../export/queue/job-types.js';
import { EventBus } from './event-bus.js';
import { EventSink, type SinkLogger, type SinkTransport } from './event-sink.js';
import type { VigilEvent } from './events.js';
import { VigilMetrics, type ArchiveFigures } from './metrics.js';
import {
  exportJobListener,
  observeRecorder,
  retentionCallbacks,
  withLockEvents,
  type EventOut,
  type ObservedRecorder,
} from './observe.js';
import { dvrUsage, type DvrDefaults, type DvrUsage, type DvrUsageArchive } from './dvr-usage.js';
import { transportFor } from './sink-transports.js';
import { webRequestEvent, type ServedUsage } from './web-request.js';

export interface TelemetryLogger extends SinkLogger {
  error(obj: object, msg?: string): void;
}

/** The export service as telemetry follows it. */
export interface ObservedExports {
  queue: { events: { on(listener: (event: ExportJobEvent<{ stream: string }>) => void): () => void } };
  list(): Promise<Array<{ state: string }>>;
}

export interface TelemetryOptions {
  sinks?: EventSinkConfig[];
  archive?: ArchiveFigures;
  logger?: TelemetryLogger;
  /** What `…/dvr` usage reads: the archive and the config's global retention settings. */
  dvr?: { archive: DvrUsageArchive; defaults: DvrDefaults };
  /** Node process metrics (CPU, memory, event loop lag, GC) in `/metrics` from its second scrape on; off in tests. */
  processMetrics?: boolean;
  /** Tests swap the transports. */
  transportFor?: (target: EventSinkTarget) => SinkTransport;
}

export const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;

export class Telemetry implements EventOut {
  readonly bus: EventBus;
  readonly metrics: VigilMetrics;
  readonly sinks: readonly EventSink[];
  #exports: ObservedExports | undefined;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #dvr: TelemetryOptions['dvr'];

  constructor(options: TelemetryOptions = {}) {
    const makeTransport = options.transportFor ?? transportFor;
    this.#dvr = options.dvr;
    this.bus = new EventBus(options.logger);
    this.sinks = (options.sinks ?? []).map((c) => new EventSink(c, makeTransport(c.target), options.logger));
    this.metrics = new VigilMetrics(
      {
        ...(options.archive !== undefined && { archive: options.archive }),
        exports: { list: async () => (this.#exports === undefined ? [] : this.#exports.list()) },
        sinks: () => this.sinks.map((s) => ({ name: s.name, stats: s.stats })),
      },
      { processMetrics: options.processMetrics ?? false },
    );
    this.#unsubscribe.push(this.bus.on((e) => this.metrics.onEvent(e)));
    for (const sink of this.sinks) this.#unsubscribe.push(this.bus.on((e) => sink.offer(e)));
  }

  emit(event: VigilEvent): void {
    this.bus.emit(event);
  }

  /** Starts the sinks' delivery loops. */
  start(): void {
    for (const sink of this.sinks) sink.start();
  }

  /** Flushes every sink (in parallel, each within `timeoutMs`) and stops following. */
  async stop(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.all(this.sinks.map((s) => s.stop(timeoutMs)));
  }

  /** A media response is over (sent, or the client gone): the `web_request` event. Never waits. */
  recordServed(usage: ServedUsage): void {
    this.emit(webRequestEvent(usage));
  }

  /** A stream's archive depth, size, locked size and quota use; undefined when no archive was given. */
  async dvrUsage(stream: string): Promise<DvrUsage | undefined> {
    return this.#dvr === undefined ? undefined : dvrUsage(this.#dvr.archive, stream, this.#dvr.defaults);
  }

  observeRecorder(recorder: ObservedRecorder): void {
    observeRecorder(recorder, this);
  }

  /** Options for RetentionRunner: deletions and quota pressure as events. */
  retention(): ReturnType<typeof retentionCallbacks> {
    return retentionCallbacks(this);
  }

  /** Export job state changes as events, and the queue in `/metrics`. */
  attachExports(exports: ObservedExports): void {
    this.#exports = exports;
    this.#unsubscribe.push(exports.queue.events.on(exportJobListener(this)));
  }

  /** The archive the API uses, with lock changes as events. */
  withLockEvents<T extends Parameters<typeof withLockEvents>[0]>(archive: T): T {
    return withLockEvents(archive, this);
  }
}
