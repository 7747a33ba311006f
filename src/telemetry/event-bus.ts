/**
 * In-process fan-out of Vigil's events. `emit` is called on hot paths (the
 * end of every media response, every segment), so listeners run
 * synchronously and must only record or enqueue: sinks buffer, metrics add.
 * A listener that throws is logged and the others still run.
 */
import type { VigilEvent } from './events.js';

export type EventListener = (event: VigilEvent) => void;

export interface BusLogger {
  error(obj: object, msg?: string): void;
}

export class EventBus {
  readonly #listeners = new Set<EventListener>();
  readonly #logger: BusLogger | undefined;

  constructor(logger?: BusLogger) {
    this.#logger = logger;
  }

  /** Calls `listener` for every event until the returned function is called. */
  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: VigilEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#logger?.error({ err, event: event.event }, 'an event listener threw');
      }
    }
  }
}
