/** The exporter's way to a queue in this process: calls ExportJobs directly and listens to its events. */
import type { ExportJobRecord, ExportJobs } from '../jobs/export-jobs.js';
import { exportStateCode } from '../queue/job-types.js';
import type { ExportJobRequest } from '../request/types.js';
import { usToDate } from '../../time.js';
import type { ExportBackend, ExportTask, TaskEvent } from './types.js';

export function jobToTask(job: ExportJobRecord): ExportTask {
  const { spec } = job;
  return {
    taskGuid: job.id,
    kind: job.kind,
    state: job.state,
    stateCode: exportStateCode(job.state),
    step: job.step,
    percent: job.percent,
    filePath: job.filePath,
    fileName: spec.fileName,
    bytes: job.bytes,
    error: job.error === undefined ? undefined : { ...job.error },
    stream: spec.stream,
    from: usToDate(spec.fromUs),
    to: usToDate(spec.toUs),
    transcode: spec.transcode !== null,
    createdAt: usToDate(job.createdAtUs),
    startedAt: job.startedAtUs === undefined ? undefined : usToDate(job.startedAtUs),
    finishedAt: job.finishedAtUs === undefined ? undefined : usToDate(job.finishedAtUs),
  };
}

export class InProcessBackend implements ExportBackend {
  readonly #jobs: ExportJobs;
  #unsubscribe: (() => void) | undefined;

  constructor(jobs: ExportJobs) {
    this.#jobs = jobs;
  }

  watch(onEvent: (event: TaskEvent) => void): Promise<void> {
    this.#unsubscribe ??= this.#jobs.queue.events.on((event) => {
      if (event.type === 'state') onEvent({ type: 'state', task: jobToTask(event.job) });
      else if (event.type === 'progress') {
        onEvent({ type: 'progress', taskGuid: event.id, step: event.step, percent: event.percent });
      }
    });
    return Promise.resolve();
  }

  unwatch(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  async submit(request: ExportJobRequest, webhookUrl: string | undefined): Promise<ExportTask> {
    // Code in the same process is trusted as the server's admin is.
    const job = await this.#jobs.submitLibrary(request, {
      isAdmin: true,
      ...(webhookUrl !== undefined && { webhookUrl }),
    });
    return jobToTask(job);
  }

  async get(taskGuid: string): Promise<ExportTask | undefined> {
    const job = await this.#jobs.get(taskGuid);
    return job === undefined ? undefined : jobToTask(job);
  }

  async list(): Promise<ExportTask[]> {
    return (await this.#jobs.list()).map(jobToTask);
  }

  async cancel(taskGuid: string): Promise<ExportTask> {
    return jobToTask(await this.#jobs.cancel(taskGuid));
  }

  remove(taskGuid: string): Promise<void> {
    return this.#jobs.remove(taskGuid);
  }

  close(): Promise<void> {
    this.unwatch();
    return Promise.resolve();
  }
}
