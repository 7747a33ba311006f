/**
 * How a cluster node tells and hears about job changes. A change this node
 * made goes to its listeners, to the per-job callback (if the job was
 * submitted here) or the global one, to the webhooks, and to the other
 * nodes; a change heard from another node goes to this node's listeners
 * (SSE, telemetry, the library) and to a per-job callback held here only:
 * the writer already called the global callback and the webhooks, so each
 * change is notified once in the whole cluster.
 */
import type { ClusterEventChannel, ClusterJobMessage, ClusterStateFields } from './cluster-events.js';
import type { ClusterJobStore } from './cluster-job-store.js';
import type { JobEventHub } from './job-events.js';
import { stateEventToWebhookBody } from './job-json.js';
import {
  type ExportJob,
  type ExportJobCallback,
  type ExportJobKind,
  type ExportJobStateEvent,
  type ExportStep,
  isFinishedState,
  type QueueLogger,
} from './job-types.js';
import { publicJob } from './queue-entry.js';
import type { WebhookNotifier } from './webhook-notifier.js';

/** Jobs other nodes announced, kept so an event can still be built once their row is gone. */
const MAX_KNOWN_JOBS = 2_000;

export interface ClusterAnnouncerOptions<TSpec> {
  events: JobEventHub<TSpec>;
  store: ClusterJobStore<TSpec>;
  /** Names this process in its notifications (skipped when they come back). */
  origin: string;
  callback: ExportJobCallback<TSpec> | undefined;
  webhooks: WebhookNotifier | undefined;
  logger: QueueLogger;
  now(): number;
  /** Another node asks to stop a job (this node may be running it). */
  onCancel(id: string): void;
  /** A job was queued (or re-queued) on another node. */
  onQueued(kind: ExportJobKind): void;
}

export class ClusterAnnouncer<TSpec> {
  readonly #opts: ClusterAnnouncerOptions<TSpec>;
  readonly #origin: string;
  /** Set once the channel exists (it calls back into receive()). */
  #channel: ClusterEventChannel | undefined;
  /** Per-job callbacks of jobs submitted here (not persisted: a restart forgets them, as in process). */
  readonly #callbacks = new Map<string, ExportJobCallback<TSpec>>();
  readonly #known = new Map<string, ExportJob<TSpec>>();
  #inbox: Promise<void> = Promise.resolve();

  constructor(options: ClusterAnnouncerOptions<TSpec>) {
    this.#opts = options;
    this.#origin = options.origin;
  }

  get events(): JobEventHub<TSpec> {
    return this.#opts.events;
  }

  attach(channel: ClusterEventChannel): void {
    this.#channel = channel;
  }

  holdCallback(id: string, callback: ExportJobCallback<TSpec>): void {
    this.#callbacks.set(id, callback);
  }

  /** Asks every node to stop the job; the one running it does. */
  async askCancel(id: string): Promise<void> {
    await this.#send({ t: 'cancel', id, origin: this.#origin, atUs: this.#opts.now() });
  }

  /** Resolves once every message heard so far is handled. */
  drained(): Promise<void> {
    return this.#inbox;
  }

  /** A state change this node made. */
  announce(event: ExportJobStateEvent<TSpec>): void {
    const { job } = event;
    this.#remember(job);
    this.#opts.events.emit(event);
    const callback = this.#callbacks.get(job.id) ?? this.#opts.callback;
    this.#callBack(callback, event);
    const webhooks = this.#opts.webhooks;
    const url = job.webhookUrl ?? webhooks?.globalUrl;
    if (webhooks !== undefined && url !== undefined) webhooks.send(job.id, url, stateEventToWebhookBody(event));
    if (isFinishedState(job.state)) this.#callbacks.delete(job.id);
    void this.#send({ t: 'state', id: job.id, origin: this.#origin, atUs: event.atUs, ...stateFields(event) });
  }

  progress(id: string, step: ExportStep, percent: number): void {
    const atUs = this.#opts.now();
    this.#opts.events.emit({ type: 'progress', id, step, percent, atUs });
    void this.#send({ t: 'progress', id, origin: this.#origin, atUs, step, percent });
  }

  removed(id: string): void {
    const atUs = this.#opts.now();
    this.#known.delete(id);
    this.#callbacks.delete(id);
    this.#opts.events.emit({ type: 'removed', id, atUs });
    void this.#send({ t: 'removed', id, origin: this.#origin, atUs });
  }

  receive(message: ClusterJobMessage): void {
    if (message.origin === this.#origin) return;
    // One at a time, in arrival order: a state event re-reads its row before the next message is handled.
    this.#inbox = this.#inbox
      .then(() => this.#handle(message))
      .catch((err: unknown) =>
        this.#opts.logger.warn({ err, id: message.id }, 'export queue: handling a notification failed'),
      );
  }

  async #handle(message: ClusterJobMessage): Promise<void> {
    switch (message.t) {
      case 'cancel':
        this.#opts.onCancel(message.id);
        return;
      case 'progress':
        this.#opts.events.emit({
          type: 'progress',
          id: message.id,
          step: message.step,
          percent: message.percent,
          atUs: message.atUs,
        });
        return;
      case 'removed':
        this.#known.delete(message.id);
        this.#callbacks.delete(message.id);
        this.#opts.events.emit({ type: 'removed', id: message.id, atUs: message.atUs });
        return;
      case 'state': {
        const stored = await this.#opts.store.get(message.id).catch(() => undefined);
        const base = stored === undefined ? this.#known.get(message.id) : publicJob(stored);
        if (base === undefined) return;
        const job: ExportJob<TSpec> = {
          ...base,
          kind: message.kind,
          state: message.state,
          step: message.step ?? undefined,
          percent: message.percent,
          startedAtUs: message.startedAtUs ?? undefined,
          finishedAtUs: message.finishedAtUs ?? undefined,
          error: message.error ?? undefined,
          bytes: message.bytes ?? undefined,
        };
        this.#remember(job);
        const event: ExportJobStateEvent<TSpec> = {
          type: 'state',
          job,
          previous: message.previous ?? undefined,
          atUs: message.atUs,
        };
        this.#opts.events.emit(event);
        // Only the submitting node holds a per-job callback; the global one was called by the writer.
        this.#callBack(this.#callbacks.get(job.id), event);
        if (isFinishedState(job.state)) this.#callbacks.delete(job.id);
        if (job.state === 'in_queue') this.#opts.onQueued(job.kind);
        return;
      }
    }
  }

  #callBack(callback: ExportJobCallback<TSpec> | undefined, event: ExportJobStateEvent<TSpec>): void {
    if (callback === undefined) return;
    try {
      callback(event);
    } catch (err) {
      this.#opts.logger.error({ err, id: event.job.id }, 'an export job callback threw');
    }
  }

  #remember(job: ExportJob<TSpec>): void {
    this.#known.delete(job.id);
    this.#known.set(job.id, job);
    if (this.#known.size > MAX_KNOWN_JOBS) {
      const oldest = this.#known.keys().next();
      if (oldest.done !== true) this.#known.delete(oldest.value);
    }
  }

  async #send(message: ClusterJobMessage): Promise<void> {
    await this.#channel?.send(message);
  }
}

function stateFields<TSpec>(event: ExportJobStateEvent<TSpec>): ClusterStateFields {
  const { job } = event;
  return {
    kind: job.kind,
    state: job.state,
    previous: event.previous ?? null,
    step: job.step ?? null,
    percent: job.percent,
    startedAtUs: job.startedAtUs ?? null,
    finishedAtUs: job.finishedAtUs ?? null,
    error: job.error ?? null,
    bytes: job.bytes ?? null,
  };
}
