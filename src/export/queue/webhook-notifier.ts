/**
 * Delivers webhook POSTs off the queue's path: `send` returns at once, each
 * delivery retries on its own timers, and deliveries that share a key (a job
 * id) go out in order, so a receiver sees `exporting` before `success`. The
 * number of deliveries waiting or in flight is capped: past the cap a new one
 * is dropped and logged, so a receiver that is down costs bounded memory.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type QueueLogger, silentLogger } from './job-types.js';

export const SIGNATURE_HEADER = 'x-vigil-signature';
export const DELIVERY_HEADER = 'x-vigil-delivery';
export const ATTEMPT_HEADER = 'x-vigil-attempt';

export interface WebhookNotifierOptions {
  /** Used for jobs that have no URL of their own. */
  url?: string;
  /** Signs every body: `X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. Unsigned when absent. */
  secret?: string;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Attempts per delivery, the first included (default 5). */
  maxAttempts?: number;
  /** Wait before retry n (1-based); default 1 s, 2 s, 4 s, … */
  backoffMs?: (retry: number) => number;
  /** Deliveries waiting or in flight (default 1000). */
  maxPending?: number;
  fetch?: typeof fetch;
  logger?: QueueLogger;
  newDeliveryId?: () => string;
  /** Told the outcome of each delivery (metrics, tests). */
  onResult?: (result: WebhookDeliveryResult) => void;
}

export interface WebhookDeliveryResult {
  deliveryId: string;
  url: string;
  ok: boolean;
  attempts: number;
  /** The last HTTP status, when a response came. */
  status: number | undefined;
  /** Why the last attempt failed. */
  error: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_PENDING = 1_000;

export function defaultWebhookBackoffMs(retry: number): number {
  return 1_000 * 2 ** (retry - 1);
}

/** `sha256=<hex>` of the raw body, as receivers recompute it. */
export function signWebhookBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

interface Delivery {
  id: string;
  url: string;
  rawBody: string;
}

export class WebhookNotifier {
  readonly #opts: WebhookNotifierOptions;
  readonly #fetch: typeof fetch;
  readonly #logger: QueueLogger;
  readonly #closer = new AbortController();
  /** The last delivery of each key: the next one starts after it. */
  readonly #tails = new Map<string, Promise<void>>();
  #pending = 0;
  #idleWaiters: Array<() => void> = [];
  #dropped = 0;

  constructor(options: WebhookNotifierOptions = {}) {
    this.#opts = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#logger = options.logger ?? silentLogger;
  }

  get globalUrl(): string | undefined {
    return this.#opts.url;
  }

  /** Deliveries waiting or in flight. */
  get pending(): number {
    return this.#pending;
  }

  /** Deliveries refused because too many were pending. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues a POST of `body` as JSON. Returns false when it was dropped (closed, or too many pending). */
  send(key: string, url: string, body: unknown): boolean {
    if (this.#closer.signal.aborted) return false;
    if (this.#pending >= (this.#opts.maxPending ?? DEFAULT_MAX_PENDING)) {
      this.#dropped += 1;
      this.#logger.warn({ url, key, pending: this.#pending }, 'webhook delivery dropped: too many pending');
      return false;
    }
    const delivery: Delivery = {
      id: (this.#opts.newDeliveryId ?? randomUUID)(),
      url,
      rawBody: JSON.stringify(body),
    };
    this.#pending += 1;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const tail = previous
      .then(() => this.#deliver(delivery))
      .catch((err: unknown) => this.#logger.error({ err, url }, 'webhook delivery threw'))
      .finally(() => this.#settled(key, tail));
    this.#tails.set(key, tail);
    return true;
  }

  /** Resolves when nothing is waiting or in flight. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Aborts requests in flight and retries waiting; later sends are refused. */
  close(): void {
    this.#closer.abort();
  }

  #settled(key: string, tail: Promise<void>): void {
    if (this.#tails.get(key) === tail) this.#tails.delete(key);
    this.#pending -= 1;
    if (this.#pending === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  async #deliver(delivery: Delivery): Promise<void> {
    const maxAttempts = Math.max(1, this.#opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    const backoffMs = this.#opts.backoffMs ?? defaultWebhookBackoffMs;
    let result: WebhookDeliveryResult = {
      deliveryId: delivery.id,
      url: delivery.url,
      ok: false,
      attempts: 0,
      status: undefined,
      error: 'closed before the first attempt',
    };
    for (let attempt = 1; attempt <= maxAttempts && !this.#closer.signal.aborted; attempt++) {
      const outcome = await this.#attempt(delivery, attempt);
      result = { ...result, ...outcome, attempts: attempt };
      if (outcome.ok || !outcome.retry || attempt === maxAttempts) break;
      try {
        await sleep(backoffMs(attempt), undefined, { signal: this.#closer.signal });
      } catch {
        break; // closed while waiting
      }
    }
    if (!result.ok) {
      this.#logger.warn(
        {
          url: delivery.url,
          deliveryId: delivery.id,
          attempts: result.attempts,
          status: result.status,
          err: result.error,
        },
        'webhook delivery failed',
      );
    }
    this.#opts.onResult?.(result);
  }

  async #attempt(
    delivery: Delivery,
    attempt: number,
  ): Promise<{ ok: boolean; retry: boolean; status: number | undefined; error: string | undefined }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'vigil-webhook',
      [DELIVERY_HEADER]: delivery.id,
      [ATTEMPT_HEADER]: String(attempt),
    };
    if (this.#opts.secret !== undefined)
      headers[SIGNATURE_HEADER] = signWebhookBody(this.#opts.secret, delivery.rawBody);
    const signal = AbortSignal.any([
      this.#closer.signal,
      AbortSignal.timeout(this.#opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    ]);
    try {
      const response = await this.#fetch(delivery.url, {
        method: 'POST',
        headers,
        body: delivery.rawBody,
        signal,
        // A redirect would resend a signed body somewhere the admin did not configure.
        redirect: 'manual',
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { ok: true, retry: false, status: response.status, error: undefined };
      return {
        ok: false,
        retry: isRetryableStatus(response.status),
        status: response.status,
        error: `HTTP ${response.status}`,
      };
    } catch (err) {
      return { ok: false, retry: true, status: undefined, error: errorText(err) };
    }
  }
}

/** Server trouble and rate limits pass; other 4xx and redirects mean the receiver refuses this body. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
