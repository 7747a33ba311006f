/**
 * Job events between the nodes of a cluster, over PostgreSQL LISTEN/NOTIFY:
 * the nodes already share the database, so no broker is added, and a
 * notification reaches every listener within milliseconds (polling the rows
 * would trade that for load). Payloads stay small (ids, states, progress):
 * a receiver reads the row for the rest. Listening takes one dedicated
 * connection, re-opened with backoff when it drops; sending goes through a
 * pooled connection, so it works while the listener reconnects.
 */
import type pg from 'pg';
import { pgClient } from '../../archive/index/postgres-dialect.js';
import { invalidArgument } from '../../errors.js';
import {
  type ExportJobError,
  type ExportJobKind,
  type ExportJobState,
  exportJobStates,
  type ExportStep,
  exportSteps,
  type QueueLogger,
} from './job-types.js';

export const DEFAULT_EVENTS_CHANNEL = 'vigil_export_events';

/** What a state event carries besides the job's id; the receiver reads spec, file path and webhook from the row. */
export interface ClusterStateFields {
  kind: ExportJobKind;
  state: ExportJobState;
  previous: ExportJobState | null;
  step: ExportStep | null;
  percent: number;
  startedAtUs: number | null;
  finishedAtUs: number | null;
  error: ExportJobError | null;
  bytes: number | null;
}

export type ClusterJobMessage = { id: string; origin: string; atUs: number } & (
  | ({ t: 'state' } & ClusterStateFields)
  | { t: 'progress'; step: ExportStep; percent: number }
  | { t: 'removed' }
  /** Asks the node running the job to stop it. */
  | { t: 'cancel' }
);

export interface ClusterEventChannelOptions {
  connectionString: string;
  /** Runs a statement on a pooled connection (pg-boss's pool): notifications are sent through it. */
  execute(text: string, values: unknown[]): Promise<unknown>;
  channel?: string;
  logger: QueueLogger;
  onMessage(message: ClusterJobMessage): void;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;
const STOP_SEND_WAIT_MS = 2_000;

export class ClusterEventChannel {
  readonly #opts: ClusterEventChannelOptions;
  readonly #channel: string;
  #client: pg.Client | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #backoffMs = RECONNECT_MIN_MS;
  #stopped = false;
  #sending: Promise<void> = Promise.resolve();

  constructor(options: ClusterEventChannelOptions) {
    this.#opts = options;
    this.#channel = options.channel ?? DEFAULT_EVENTS_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.#channel)) {
      throw invalidArgument('channel', `expected a lower-case SQL identifier, got ${JSON.stringify(this.#channel)}`);
    }
  }

  /** Resolves once listening; throws when the first connection fails (a misconfigured database). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect();
  }

  /** Stops listening once the notifications in flight are sent (or have had STOP_SEND_WAIT_MS). */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#sending,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_SEND_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * Sends to every node, this one included (receivers skip their own origin).
   * One at a time: on a pool, two sends in flight could commit (and arrive) in
   * either order, and a job's states must arrive in the order they happened.
   * Failures are logged.
   */
  send(message: ClusterJobMessage): Promise<void> {
    const payload = JSON.stringify(message);
    this.#sending = this.#sending.then(async () => {
      try {
        await this.#opts.execute('select pg_notify($1, $2)', [this.#channel, payload]);
      } catch (err) {
        this.#opts.logger.warn({ err, id: message.id, t: message.t }, 'export queue: a cluster notification failed');
      }
    });
    return this.#sending;
  }

  async #connect(): Promise<void> {
    const client = new (pgClient().Client)({ connectionString: this.#opts.connectionString });
    client.on('notification', (n) => {
      if (n.channel !== this.#channel || n.payload === undefined) return;
      const message = parseMessage(n.payload);
      if (message === undefined) {
        this.#opts.logger.warn({ payload: n.payload.slice(0, 200) }, 'export queue: ignored a malformed notification');
        return;
      }
      this.#opts.onMessage(message);
    });
    client.on('error', (err) => {
      this.#opts.logger.warn({ err }, 'export queue: the cluster events connection failed; reconnecting');
      if (this.#client === client) this.#client = undefined;
      void client.end().catch(() => undefined);
      this.#scheduleReconnect();
    });
    await client.connect();
    try {
      await client.query(`LISTEN ${this.#channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#backoffMs = RECONNECT_MIN_MS;
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#reconnectTimer !== undefined) return;
    const delayMs = this.#backoffMs;
    this.#backoffMs = Math.min(RECONNECT_MAX_MS, this.#backoffMs * 2);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect().catch((err: unknown) => {
        this.#opts.logger.warn({ err }, 'export queue: reconnecting the cluster events connection failed');
        this.#scheduleReconnect();
      });
    }, delayMs);
    this.#reconnectTimer.unref();
  }
}

/** Another node's payload crosses a process boundary: check what the receiver relies on. */
function parseMessage(payload: string): ClusterJobMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.id !== 'string' || typeof m.origin !== 'string' || typeof m.atUs !== 'number') return undefined;
  switch (m.t) {
    case 'state':
      return exportJobStates.includes(m.state as ExportJobState) ? (value as ClusterJobMessage) : undefined;
    case 'progress':
      return exportSteps.includes(m.step as ExportStep) && typeof m.percent === 'number'
        ? (value as ClusterJobMessage)
        : undefined;
    case 'removed':
    case 'cancel':
      return value as ClusterJobMessage;
    default:
      return undefined;
  }
}
