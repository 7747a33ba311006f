/**
 * A reader of the server's Server-Sent Events (`GET /api/v1/events`). It
 * reconnects with backoff when the stream breaks or goes silent (the server
 * sends a comment every 15 s, so 45 s of nothing means a dead connection),
 * and says so, because events sent while it was away are gone: the owner
 * then reads the tasks it follows again.
 */
import { VigilError } from '../../errors.js';
import { errorFromResponse, type HttpClient } from './http-client.js';
import { setTimeout as sleep } from 'node:timers/promises';

export const EVENTS_PATH = '/api/v1/events';
const IDLE_TIMEOUT_MS = 45_000;
const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

export interface SseMessage {
  event: string;
  data: string;
}

/** Splits a text/event-stream into messages; `rest` is the unfinished tail to prepend to the next chunk. */
export function parseSseChunk(buffered: string): { messages: SseMessage[]; rest: string } {
  const text = buffered.replace(/\r\n?/g, '\n');
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  const messages: SseMessage[] = [];
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) messages.push({ event, data: data.join('\n') });
  }
  return { messages, rest };
}

export interface EventStreamHandlers {
  onMessage(message: SseMessage): void;
  /** After a reconnect: events may have been missed. */
  onGap(): void;
}

export class EventStream {
  readonly #client: HttpClient;
  readonly #handlers: EventStreamHandlers;
  readonly #stop = new AbortController();
  #connection: AbortController | undefined;

  constructor(client: HttpClient, handlers: EventStreamHandlers) {
    this.#client = client;
    this.#handlers = handlers;
  }

  /** Resolves once the server has subscribed this reader; throws when the first connection fails. */
  async open(): Promise<void> {
    const body = await this.#connect();
    void this.#run(body);
  }

  close(): void {
    this.#stop.abort();
    this.#connection?.abort();
  }

  async #connect(): Promise<ReadableStream<Uint8Array>> {
    const what = `GET ${EVENTS_PATH}`;
    const connection = new AbortController();
    this.#connection = connection;
    const timeout = AbortSignal.timeout(this.#client.timeoutMs);
    const signal = AbortSignal.any([connection.signal, this.#stop.signal, this.#client.closedSignal]);
    let res: Response;
    try {
      // The timeout covers the headers only: the stream itself lasts as long as it is needed.
      res = await fetch(this.#client.baseUrl + EVENTS_PATH, {
        headers: this.#client.headers({ accept: 'text/event-stream' }),
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      throw this.#stop.signal.aborted
        ? new VigilError('CANCELED', `${what}: the event stream was closed`)
        : this.#client.failure(what, err, timeout);
    }
    if (!res.ok || res.body === null) {
      throw errorFromResponse(res.status, await res.text().catch(() => ''), what);
    }
    return res.body;
  }

  async #run(first: ReadableStream<Uint8Array>): Promise<void> {
    let body: ReadableStream<Uint8Array> | undefined = first;
    let backoffMs = MIN_BACKOFF_MS;
    while (!this.#stop.signal.aborted) {
      if (body === undefined) {
        try {
          body = await this.#connect();
          backoffMs = MIN_BACKOFF_MS;
          this.#handlers.onGap();
        } catch {
          // Resolves early (never throws) when the stream is stopped.
          await sleep(backoffMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
          continue;
        }
      }
      await this.#read(body);
      body = undefined;
    }
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let rest = '';
    let idle = setTimeout(() => this.#connection?.abort(), IDLE_TIMEOUT_MS);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        clearTimeout(idle);
        idle = setTimeout(() => this.#connection?.abort(), IDLE_TIMEOUT_MS);
        const parsed = parseSseChunk(rest + decoder.decode(value, { stream: true }));
        rest = parsed.rest;
        for (const message of parsed.messages) this.#handlers.onMessage(message);
      }
    } catch {
      // A broken or aborted stream: the loop reconnects unless closed.
    } finally {
      clearTimeout(idle);
      reader.releaseLock();
    }
  }
}
