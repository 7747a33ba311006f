/**
 * JSON calls to a running Vigil's admin API with Node's fetch: every call has
 * a timeout and stops when the client is closed; an error answer
 * `{ "error": { code, message, field } }` becomes the same VigilError the
 * server threw, so a caller sees QUEUE_FULL or INVALID_ARGUMENT whether it
 * runs beside the queue or across the network.
 */
import { errorTable, VigilError, type ErrorCode, messageOf } from '../../errors.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ServerTarget {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The admin token (Bearer); or `user` and `password` for HTTP Basic. */
  token?: string;
  user?: string;
  password?: string;
  /** Per call; 30 s by default. */
  requestTimeoutMs?: number;
}

/** When the body says nothing usable, the status alone picks the code. */
const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'QUEUE_FULL',
  501: 'NOT_IMPLEMENTED',
  504: 'TIMEOUT',
};

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorTable, value);
}

/** The VigilError an error answer stands for. */
export function errorFromResponse(status: number, bodyText: string, what: string): VigilError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  if (error !== undefined && isErrorCode(error.code) && typeof error.message === 'string') {
    return new VigilError(error.code, error.message, {
      ...(typeof error.field === 'string' && { field: error.field }),
    });
  }
  const code = CODE_OF_STATUS[status] ?? 'INTERNAL';
  const text = bodyText.trim().slice(0, 200);
  return new VigilError(code, `${what}: the server answered HTTP ${status}${text === '' ? '' : `: ${text}`}`);
}

export class HttpClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #authorization: string | undefined;
  readonly #closed = new AbortController();

  constructor(target: ServerTarget) {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new VigilError(
        'INVALID_ARGUMENT',
        `server.url: expected an http(s) URL, got ${JSON.stringify(target.url)}`,
        {
          field: 'server.url',
        },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new VigilError('INVALID_ARGUMENT', `server.url: expected http: or https:, got ${url.protocol}`, {
        field: 'server.url',
      });
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.timeoutMs = target.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (target.token !== undefined && target.token !== '') this.#authorization = `Bearer ${target.token}`;
    else if (target.user !== undefined) {
      const basic = Buffer.from(`${target.user}:${target.password ?? ''}`).toString('base64');
      this.#authorization = `Basic ${basic}`;
    }
  }

  /** Aborted by `close()`: every call and the event stream stop then. */
  get closedSignal(): AbortSignal {
    return this.#closed.signal;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, ...(this.#authorization !== undefined && { authorization: this.#authorization }) };
  }

  /** A JSON call; resolves with the parsed body of a 2xx answer, throws the VigilError of any other. */
  async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const what = `${method} ${path}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.baseUrl + path, {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.any([timeout, this.#closed.signal]),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw this.failure(what, err, timeout);
    }
    if (status < 200 || status > 299) throw errorFromResponse(status, text, what);
    try {
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch (cause) {
      throw new VigilError('INTERNAL', `${what}: the server's answer is not JSON`, { cause });
    }
  }

  /** Why a call got no answer: closed here, timed out, or the server could not be reached. */
  failure(what: string, err: unknown, timeout: AbortSignal): VigilError {
    if (this.#closed.signal.aborted) return new VigilError('CANCELED', `${what}: the exporter was closed`);
    if (timeout.aborted) {
      return new VigilError('TIMEOUT', `${what}: no answer from ${this.baseUrl} within ${this.timeoutMs} ms`);
    }
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const detail = messageOf(cause);
    return new VigilError('SERVER_UNAVAILABLE', `cannot reach the Vigil server at ${this.baseUrl}: ${detail}`, {
      cause: err,
    });
  }

  close(): void {
    this.#closed.abort();
  }
}
