/**
 * One configured sink: a filter, a bounded queue and a delivery loop. `offer`
 * is all a request's path ever does (a filter test and a push), so a dead or
 * slow collector never slows a download: its queue fills, the oldest events
 * go, and the drop counter says how many. The loop sends batches, retries a
 * failed one with exponential backoff (with jitter, capped), and on `stop`
 * sends what is left until its deadline.
 */
import type { EventSinkConfig } from '../config/sinks-schema.js';
import { DropOldestQueue } from './bounded-queue.js';
import type { VigilEvent } from './events.js';

/** Where batches go (HTTP POST, file append). */
export interface SinkTransport {
  /** Delivers a batch whole; rejects to have the same batch tried again later. */
  deliver(batch: readonly VigilEvent[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface SinkLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SinkStats {
  queued: number;
  dropped: number;
  delivered: number;
  failedDeliveries: number;
}

const MIN_BACKOFF_MS = 100;

export class EventSink {
  readonly name: string;
  readonly #config: EventSinkConfig;
  readonly #transport: SinkTransport;
  readonly #logger: SinkLogger | undefined;
  readonly #queue: DropOldestQueue<VigilEvent>;
  readonly #events: ReadonlySet<string> | undefined;
  readonly #streams: ReadonlySet<string> | undefined;
  #delivered = 0;
  #failedDeliveries = 0;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #deadline = Infinity;
  #sleeping: { reason: 'events' | 'backoff'; wake: () => void } | undefined;
  #inFlight: AbortController | undefined;

  constructor(config: EventSinkConfig, transport: SinkTransport, logger?: SinkLogger) {
    this.name = config.name;
    this.#config = config;
    this.#transport = transport;
    this.#logger = logger;
    this.#queue = new DropOldestQueue(config.maxQueued);
    this.#events = config.only.events && new Set(config.only.events);
    this.#streams = config.only.streams && new Set(config.only.streams);
  }

  get stats(): SinkStats {
    return {
      queued: this.#queue.length,
      dropped: this.#queue.dropped,
      delivered: this.#delivered,
      failedDeliveries: this.#failedDeliveries,
    };
  }

  /** Whether the sink's `only` filter takes this event. */
  accepts(event: VigilEvent): boolean {
    if (this.#events !== undefined && !this.#events.has(event.event)) return false;
    return this.#streams === undefined || this.#streams.has(event.stream);
  }

  /** Queues the event if the filter takes it; never waits. */
  offer(event: VigilEvent): void {
    if (this.#stopping || !this.accepts(event)) return;
    this.#queue.push(event);
    if (this.#queue.length >= this.#config.batchSize && this.#sleeping?.reason === 'events') this.#sleeping.wake();
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Sends what is queued, giving up at `timeoutMs` (the batch in flight is
   * aborted), then closes the transport. Resolves with the events left unsent.
   */
  async stop(timeoutMs: number): Promise<number> {
    this.#stopping = true;
    this.#deadline = Date.now() + timeoutMs;
    const giveUp = setTimeout(() => this.#inFlight?.abort(new Error('sink flush timed out')), timeoutMs);
    this.#sleeping?.wake();
    try {
      await this.#loop;
    } finally {
      clearTimeout(giveUp);
      await this.#transport.close().catch(() => undefined);
    }
    const left = this.#queue.length;
    if (left > 0) this.#logger?.warn({ sink: this.name, left }, 'event sink stopped with events unsent');
    return left;
  }

  async #run(): Promise<void> {
    let attempt = 0;
    for (;;) {
      if (!this.#stopping && this.#queue.length < this.#config.batchSize) {
        await this.#sleep('events', this.#config.flushIntervalMs);
      }
      if (this.#queue.length === 0) {
        if (this.#stopping) return;
        continue;
      }
      const { items, end } = this.#queue.peek(this.#config.batchSize);
      const controller = new AbortController();
      this.#inFlight = controller;
      try {
        await this.#transport.deliver(
          items,
          AbortSignal.any([controller.signal, AbortSignal.timeout(this.#config.timeoutMs)]),
        );
        this.#queue.removeBefore(end);
        this.#delivered += items.length;
        if (attempt > 0) this.#logger?.info({ sink: this.name, attempts: attempt + 1 }, 'event sink delivers again');
        attempt = 0;
      } catch (err) {
        this.#failedDeliveries++;
        attempt++;
        if (attempt === 1) {
          this.#logger?.warn(
            { sink: this.name, err: String(err) },
            'event sink delivery failed; retrying with backoff',
          );
        }
        const remaining = this.#deadline - Date.now();
        if (this.#stopping && remaining <= 0) return;
        await this.#sleep('backoff', Math.min(this.#backoffMs(attempt), remaining));
      } finally {
        this.#inFlight = undefined;
      }
    }
  }

  /** 100 ms doubling per failed attempt up to `maxBackoffMs`, with up to 25% jitter so sinks do not retry in step. */
  #backoffMs(attempt: number): number {
    const base = Math.min(this.#config.maxBackoffMs, MIN_BACKOFF_MS * 2 ** Math.min(attempt - 1, 30));
    return base * (0.75 + Math.random() * 0.25);
  }

  #sleep(reason: 'events' | 'backoff', ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.#sleeping?.wake === wake) this.#sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      // An idle sink must not keep the process alive; one flushing for shutdown must.
      if (!this.#stopping) timer.unref();
      this.#sleeping = { reason, wake };
    });
  }
}
