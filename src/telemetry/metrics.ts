/**
 * Vigil's Prometheus metrics on a private Registry (the process-global one
 * would mix in anything else loaded in the process, and two apps in one test
 * process would collide). Counters follow the event bus and the recorders;
 * archive sizes, export queue and sink figures are read when scraped, so
 * they are never stale and cost nothing between scrapes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SinkStats } from './event-sink.js';
import type { VigilEvent, WebRequestEvent } from './events.js';

/** What scrapes read from the archive. */
export interface ArchiveFigures {
  listStreams(): Promise<Array<{ name: string }>>;
  depth(stream: string): Promise<{ fromUs?: number; toUs?: number; sizeBytes: number; segments: number }>;
}

/** What scrapes read from the export queue. */
export interface ExportFigures {
  list(): Promise<Array<{ state: string }>>;
}

export interface MetricSources {
  archive?: ArchiveFigures;
  exports?: ExportFigures;
  sinks?: () => Array<{ name: string; stats: SinkStats }>;
}

const RECORDER_STATES = ['connecting', 'recording', 'retrying', 'stopped'] as const;
const ORIGINS = [
  ['ram', 'bytes_from_ram'],
  ['cache', 'bytes_from_dvr_cache'],
  ['disk', 'bytes_from_dvr_disk'],
  ['remote', 'bytes_from_dvr_remote'],
] as const satisfies ReadonlyArray<readonly [string, keyof WebRequestEvent]>;

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export class VigilMetrics {
  readonly registry = new Registry();
  /**
   * Node's own figures (CPU, memory, event-loop delay, GC), on a registry of
   * their own that the first scrape starts: the event-loop delay monitor
   * wakes the loop every 10 ms, which costs about as much CPU a minute as
   * recording a stream (0.2 s), and is worth it only where someone scrapes.
   */
  #process: { wanted: boolean; registry: Registry | undefined };
  readonly #recordingState: Gauge;
  readonly #recordedBytes: Counter;
  readonly #segmentsWritten: Counter;
  readonly #reconnects: Counter;
  readonly #retentionDeleted: Counter;
  readonly #exportDuration: Histogram;
  readonly #httpRequests: Counter;
  readonly #httpDuration: Histogram;
  readonly #servedBytes: Counter;

  constructor(sources: MetricSources = {}, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#process = { wanted: options.processMetrics === true, registry: undefined };
    this.#recordingState = new Gauge({
      name: 'vigil_stream_recording_state',
      help: 'Recorder state per stream and variant: 1 for the current state, 0 for the others',
      labelNames: ['stream', 'variant', 'state'],
      registers,
    });
    this.#recordedBytes = new Counter({
      name: 'vigil_recorded_bytes_total',
      help: 'Bytes written to archive segments (complete fragments)',
      labelNames: ['stream', 'variant'],
      registers,
    });
    this.#segmentsWritten = new Counter({
      name: 'vigil_segments_written_total',
      help: 'Archive segments closed',
      labelNames: ['stream', 'variant'],
      registers,
    });
    this.#reconnects = new Counter({
      name: 'vigil_source_reconnects_total',
      help: 'Times a recorder lost or failed to open its source and scheduled another attempt',
      labelNames: ['stream', 'variant'],
      registers,
    });
    this.#retentionDeleted = new Counter({
      name: 'vigil_retention_deleted_bytes_total',
      help: 'Bytes of segments deleted by retention',
      labelNames: ['stream', 'reason'],
      registers,
    });
    this.#exportDuration = new Histogram({
      name: 'vigil_export_job_duration_seconds',
      help: 'Run time of finished export jobs, from start to end',
      labelNames: ['kind', 'state'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.#httpRequests = new Counter({
      name: 'vigil_http_requests_total',
      help: 'HTTP responses by route pattern and status class',
      labelNames: ['method', 'route', 'status_class'],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: 'vigil_http_request_duration_seconds',
      help: 'Time from a request to the end of its response',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#servedBytes = new Counter({
      name: 'vigil_served_bytes_total',
      help: 'Media bytes sent to clients, by where they came from (ram, cache, disk, remote)',
      labelNames: ['stream', 'request', 'origin'],
      registers,
    });
    this.#registerScraped(sources, registers);
  }

  /** Follows the event bus. */
  onEvent(event: VigilEvent): void {
    switch (event.event) {
      case 'stream_state': {
        if (event.state === 'source_lost') return;
        const { stream, variant } = event;
        for (const state of new Set<string>([...RECORDER_STATES, event.state])) {
          this.#recordingState.set({ stream, variant, state }, state === event.state ? 1 : 0);
        }
        if (event.state === 'retrying') this.#reconnects.inc({ stream, variant });
        return;
      }
      case 'segment_written':
        this.#segmentsWritten.inc({ stream: event.stream, variant: event.variant });
        return;
      case 'retention_deleted':
        this.#retentionDeleted.inc({ stream: event.stream, reason: event.reason }, event.bytes);
        return;
      case 'export_job':
        return;
      case 'web_request':
        for (const [origin, field] of ORIGINS) {
          const bytes = event[field];
          if (bytes > 0) this.#servedBytes.inc({ stream: event.stream, request: event.request, origin }, bytes);
        }
        return;
      default:
        return;
    }
  }

  addRecordedBytes(stream: string, variant: string, bytes: number): void {
    this.#recordedBytes.inc({ stream, variant }, bytes);
  }

  observeExportJob(kind: string, state: string, seconds: number): void {
    this.#exportDuration.observe({ kind, state }, seconds);
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status_class: statusClass(status) };
    this.#httpRequests.inc(labels);
    this.#httpDuration.observe(labels, seconds);
  }

  /** The exposition text, and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    const { contentType } = this.registry;
    const text = await this.registry.metrics();
    const own = this.#process;
    if (!own.wanted) return { text, contentType };
    if (own.registry === undefined) {
      // Started now, shown from the next scrape on: a delay histogram read at once would have no sample.
      own.registry = new Registry();
      collectDefaultMetrics({ register: own.registry, prefix: 'vigil_' });
      return { text, contentType };
    }
    return { text: `${text}\n${await own.registry.metrics()}`, contentType };
  }

  #registerScraped(sources: MetricSources, registers: Registry[]): void {
    const { archive, exports, sinks } = sources;
    if (archive !== undefined) {
      const depths = async () =>
        Promise.all(
          (await archive.listStreams()).map(async (s) => ({ stream: s.name, depth: await archive.depth(s.name) })),
        );
      // Both gauges read the same query; the second scrape callback reuses the first one's answer.
      let pending: ReturnType<typeof depths> | undefined;
      const shared = () => (pending ??= depths().finally(() => setImmediate(() => (pending = undefined))));
      new Gauge({
        name: 'vigil_archive_size_bytes',
        help: 'Bytes of indexed archive segments per stream',
        labelNames: ['stream'],
        registers,
        async collect() {
          this.reset();
          for (const { stream, depth } of await shared()) this.set({ stream }, depth.sizeBytes);
        },
      });
      new Gauge({
        name: 'vigil_archive_oldest_timestamp_seconds',
        help: 'Unix time of the oldest recorded instant per stream (absent when nothing is recorded)',
        labelNames: ['stream'],
        registers,
        async collect() {
          this.reset();
          for (const { stream, depth } of await shared()) {
            if (depth.fromUs !== undefined) this.set({ stream }, depth.fromUs / 1e6);
          }
        },
      });
    }
    if (exports !== undefined) {
      new Gauge({
        name: 'vigil_export_queue_length',
        help: 'Export jobs waiting for a worker',
        registers,
        async collect() {
          this.set((await exports.list()).filter((j) => j.state === 'in_queue').length);
        },
      });
    }
    if (sinks !== undefined) {
      const sinkCounter = (name: string, help: string, pick: (s: SinkStats) => number) =>
        new Counter({
          name,
          help,
          labelNames: ['sink'],
          registers,
          collect() {
            this.reset();
            for (const sink of sinks()) this.inc({ sink: sink.name }, pick(sink.stats));
          },
        });
      sinkCounter(
        'vigil_event_sink_dropped_total',
        'Events a sink dropped (oldest first) because its queue was full',
        (s) => s.dropped,
      );
      sinkCounter('vigil_event_sink_delivered_total', 'Events a sink delivered', (s) => s.delivered);
      sinkCounter(
        'vigil_event_sink_failed_deliveries_total',
        'Batch deliveries that failed and were retried',
        (s) => s.failedDeliveries,
      );
      new Gauge({
        name: 'vigil_event_sink_queued',
        help: 'Events waiting in a sink queue',
        labelNames: ['sink'],
        registers,
        collect() {
          this.reset();
          for (const sink of sinks()) this.set({ sink: sink.name }, sink.stats.queued);
        },
      });
    }
  }
}
