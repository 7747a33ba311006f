/**
 * Fan-out of job events to listeners (in-process) and to async iterators (a
 * Server-Sent Events response). An iterator whose reader falls behind keeps
 * only the latest progress of each job and at most `maxBuffered` events, so
 * a stalled client costs bounded memory and never slows the queue.
 */
import type { ExportJobEvent, QueueLogger } from './job-types.js';

export const DEFAULT_MAX_BUFFERED_EVENTS = 1_000;

export interface SubscribeOptions {
  /** Ends the iteration when aborted (e.g. the HTTP client went away). */
  signal?: AbortSignal;
  maxBuffered?: number;
}

export type JobEventListener<TSpec> = (event: ExportJobEvent<TSpec>) => void;

export class JobEventHub<TSpec = unknown> {
  readonly #listeners = new Set<JobEventListener<TSpec>>();
  readonly #logger: QueueLogger;

  constructor(logger: QueueLogger) {
    this.#logger = logger;
  }

  /** Calls `listener` for every event until the returned function is called. */
  on(listener: JobEventListener<TSpec>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ExportJobEvent<TSpec>): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error({ err, event: event.type }, 'an export job event listener threw');
      }
    }
  }

  /** Events from now on, for one reader at a time; ends on `signal` or `return()`. */
  subscribe(options: SubscribeOptions = {}): AsyncIterableIterator<ExportJobEvent<TSpec>> {
    const maxBuffered = Math.max(1, options.maxBuffered ?? DEFAULT_MAX_BUFFERED_EVENTS);
    const buffer: ExportJobEvent<TSpec>[] = [];
    let wake: (() => void) | undefined;
    let closed = false;

    const wakeReader = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const unsubscribe = this.on((event) => {
      bufferEvent(buffer, event, maxBuffered);
      wakeReader();
    });
    const close = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      options.signal?.removeEventListener('abort', close);
      buffer.length = 0;
      wakeReader();
    };
    if (options.signal?.aborted === true) close();
    else options.signal?.addEventListener('abort', close, { once: true });

    const iterator: AsyncIterableIterator<ExportJobEvent<TSpec>> = {
      async next() {
        while (buffer.length === 0 && !closed) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        const value = buffer.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return() {
        close();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}

function bufferEvent<TSpec>(buffer: ExportJobEvent<TSpec>[], event: ExportJobEvent<TSpec>, maxBuffered: number): void {
  if (event.type === 'progress') {
    // An unread progress of the same job is stale now: replace it where it is.
    const index = buffer.findIndex((e) => e.type === 'progress' && e.id === event.id);
    if (index >= 0) {
      buffer[index] = event;
      return;
    }
  }
  buffer.push(event);
  if (buffer.length > maxBuffered) buffer.shift();
}
