/**
 * The exporter's way to a running server: the REST export routes for
 * submit, list, get, cancel and remove, and the event stream for state and
 * progress. The request goes out in the same wire form the REST API
 * documents (wireRequestFromLibrary), so the server checks it by its rules.
 */
import { VigilError, isVigilError } from '../../errors.js';
import { exportStateCode, exportJobStates, exportSteps, type ExportStep } from '../queue/job-types.js';
import { wireRequestFromLibrary } from '../request/library-input.js';
import type { ExportJobRequest } from '../request/types.js';
import { EventStream, type SseMessage } from './event-stream.js';
import { HttpClient, type ServerTarget } from './http-client.js';
import type { ExportBackend, ExportTask, TaskEvent } from './types.js';

type Wire = Record<string, unknown>;

function record(value: unknown, what: string): Wire {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VigilError('INTERNAL', `${what}: expected a JSON object from the server`);
  }
  return value as Wire;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function date(value: unknown): Date | undefined {
  return typeof value === 'string' ? new Date(value) : undefined;
}

/** A job as the REST API shows it (`jobToWire`), in the library's shape. */
export function wireToTask(value: unknown): ExportTask {
  const job = record(value, 'export job');
  const state = exportJobStates.find((s) => s === job.state);
  if (typeof job.id !== 'string' || state === undefined) {
    throw new VigilError(
      'INTERNAL',
      `the server sent an export job without a known id and state: ${JSON.stringify(job)}`,
    );
  }
  const step = exportSteps.find((s) => s === job.step);
  const error = job.error === null || job.error === undefined ? undefined : record(job.error, 'export job error');
  return {
    taskGuid: job.id,
    kind: job.kind === 'transcode' ? 'transcode' : 'copy',
    state,
    stateCode: exportStateCode(state),
    step,
    percent: typeof job.percent === 'number' ? job.percent : 0,
    filePath: text(job.file_path),
    fileName: text(job.file_name),
    bytes: typeof job.bytes === 'number' ? job.bytes : undefined,
    error: error === undefined ? undefined : { code: text(error.code) as never, message: text(error.message) },
    stream: text(job.stream),
    from: date(job.from) ?? new Date(NaN),
    to: date(job.to) ?? new Date(NaN),
    transcode: job.transcode === true,
    createdAt: date(job.created_at) ?? new Date(NaN),
    startedAt: date(job.started_at),
    finishedAt: date(job.finished_at),
  };
}

/** An SSE message as a task event; undefined for what the exporter does not follow (removals, unknown names). */
export function messageToEvent(message: SseMessage): TaskEvent | undefined {
  const data = record(JSON.parse(message.data) as unknown, message.event);
  if (message.event === 'export.state') return { type: 'state', task: wireToTask(data.job) };
  if (message.event === 'export.progress') {
    const step = exportSteps.find((s) => s === data.step) as ExportStep | undefined;
    if (typeof data.id !== 'string' || step === undefined || typeof data.percent !== 'number') return undefined;
    return { type: 'progress', taskGuid: data.id, step, percent: data.percent };
  }
  return undefined;
}

export class HttpBackend implements ExportBackend {
  readonly #client: HttpClient;
  #stream: EventStream | undefined;

  constructor(target: ServerTarget) {
    this.#client = new HttpClient(target);
  }

  get baseUrl(): string {
    return this.#client.baseUrl;
  }

  async watch(onEvent: (event: TaskEvent) => void, onGap: () => void): Promise<void> {
    if (this.#stream !== undefined) return;
    const stream = new EventStream(this.#client, {
      onMessage: (message) => {
        let event: TaskEvent | undefined;
        try {
          event = messageToEvent(message);
        } catch {
          // A message this version does not understand is skipped, not fatal.
          return;
        }
        if (event !== undefined) onEvent(event);
      },
      onGap,
    });
    this.#stream = stream;
    try {
      await stream.open();
    } catch (err) {
      if (this.#stream === stream) this.#stream = undefined;
      throw err;
    }
  }

  unwatch(): void {
    this.#stream?.close();
    this.#stream = undefined;
  }

  async submit(request: ExportJobRequest, webhookUrl: string | undefined): Promise<ExportTask> {
    const body = { ...wireRequestFromLibrary(request), ...(webhookUrl !== undefined && { webhook_url: webhookUrl }) };
    return wireToTask(await this.#client.json('POST', '/api/v1/exports', body));
  }

  async get(taskGuid: string): Promise<ExportTask | undefined> {
    try {
      return wireToTask(await this.#client.json('GET', `/api/v1/exports/${encodeURIComponent(taskGuid)}`));
    } catch (err) {
      if (isVigilError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
  }

  async list(): Promise<ExportTask[]> {
    const body = record(await this.#client.json('GET', '/api/v1/exports'), 'export list');
    return Array.isArray(body.exports) ? body.exports.map(wireToTask) : [];
  }

  async cancel(taskGuid: string): Promise<ExportTask> {
    // DELETE also takes a finished job off the list; cancel must leave a finished one as it is.
    const task = await this.get(taskGuid);
    if (task === undefined)
      throw new VigilError('NOT_FOUND', `no export job has id "${taskGuid}"`, { field: 'taskGuid' });
    if (task.state !== 'in_queue' && task.state !== 'exporting') return task;
    return wireToTask(await this.#client.json('DELETE', `/api/v1/exports/${encodeURIComponent(taskGuid)}`));
  }

  async remove(taskGuid: string): Promise<void> {
    const task = await this.get(taskGuid);
    if (task === undefined)
      throw new VigilError('NOT_FOUND', `no export job has id "${taskGuid}"`, { field: 'taskGuid' });
    if (task.state === 'in_queue' || task.state === 'exporting') {
      throw new VigilError('CONFLICT', `export job "${taskGuid}" is ${task.state}: cancel it before removing it`);
    }
    await this.#client.json('DELETE', `/api/v1/exports/${encodeURIComponent(taskGuid)}`);
  }

  close(): Promise<void> {
    this.unwatch();
    this.#client.close();
    return Promise.resolve();
  }
}
