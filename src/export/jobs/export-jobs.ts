/**
 * Export jobs as one service: a request is normalized and given a free file
 * name, then queued; the queue runs it (stream copy or transcode) and keeps
 * its state. The REST routes, the library's VideoExporter and the CLI all go
 * through here, so they share the same rules, queue and names.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Archive } from '../../archive/archive.js';
import type { Database } from '../../archive/index/database.js';
import type { ExportsConfig } from '../../config/config-file.js';
import { nowUs } from '../../time.js';
import type { ExportSource } from '../plan-export.js';
import type { SegmentByteReader } from '../types.js';
import {
  diskPathIo,
  prepareExportJob,
  prepareLibraryExportJob,
  type ExportJobRequest,
  type ExportJobSpec,
  type ExportJobWireRequest,
  type ExportPathIo,
  type ExportRequestContext,
} from '../request/index.js';
import {
  ExportQueue,
  SqlJobStore,
  WebhookNotifier,
  type ExportJob,
  type ExportJobCallback,
  type QueueLogger,
} from '../queue/index.js';
import { createExportRunner, jobKindOf, type JobStream, type TranscodeJob } from './run-export-job.js';
import { partialPathFor } from './write-export-file.js';

export type ExportJobRecord = ExportJob<ExportJobSpec>;

/** `findStream` over the archive's stream definitions (what the server and the library use). */
export function streamsOfArchive(archive: Pick<Archive, 'getStream'>): ExportJobsOptions['findStream'] {
  return async (name) => {
    const def = await archive.getStream(name);
    return def === undefined ? undefined : { title: def.title, flip: def.flip, rotate: def.rotate };
  };
}

export interface ExportJobsOptions {
  db: Kysely<Database>;
  source: ExportSource;
  config: ExportsConfig;
  timeZone: string;
  /** The stream's title and picture settings, or undefined when there is no such stream. */
  findStream(name: string): Promise<JobStream | undefined>;
  transcode: TranscodeJob;
  logger?: QueueLogger;
  now?: () => number;
}

/** Who asks: admins may pass any custom encoder argument; a webhook URL may be given per job. */
export interface SubmitContext {
  isAdmin: boolean;
  webhookUrl?: string;
  callback?: ExportJobCallback<ExportJobSpec>;
}

export class ExportJobs {
  readonly queue: ExportQueue<ExportJobSpec>;
  /** Reads finished files back for downloads (the same reader the archive uses). */
  readonly reader: SegmentByteReader;
  readonly #webhooks: WebhookNotifier;
  readonly #opts: ExportJobsOptions;
  /** The streams jobs were asked for, as they were when asked (title for metadata and watermarks, flip/rotate). */
  readonly #streams = new Map<string, JobStream>();
  /** One submit at a time: a name is picked and reserved (queued) before the next request picks one. */
  #submitting: Promise<unknown> = Promise.resolve();

  constructor(options: ExportJobsOptions) {
    this.#opts = options;
    this.reader = options.source.reader;
    const { config } = options;
    this.#webhooks = new WebhookNotifier({
      ...(config.webhookUrl !== undefined && { url: config.webhookUrl }),
      ...(config.webhookSecret !== undefined && { secret: config.webhookSecret }),
      ...(options.logger !== undefined && { logger: options.logger }),
    });
    this.queue = new ExportQueue<ExportJobSpec>({
      store: new SqlJobStore<ExportJobSpec>(options.db),
      runner: createExportRunner({
        source: options.source,
        streamOf: (name) => this.#streams.get(name) ?? { title: name, flip: 'none', rotate: 0 },
        transcode: options.transcode,
      }),
      queueMaxLen: config.queueMaxLen,
      concurrency: config.concurrency,
      cancelTaskWithStates: config.cancelTaskWithStates,
      removeFinishedAfterMs: config.removeFinishedAfterMs,
      resumeInterrupted: config.resumeInterrupted,
      removePartial: async (path) => {
        // Only the hidden .part file: the final name appears complete or not at all.
        await rm(partialPathFor(path), { force: true });
      },
      webhooks: this.#webhooks,
      ...(options.logger !== undefined && { logger: options.logger }),
      ...(options.now !== undefined && { now: options.now }),
    });
  }

  async start(): Promise<void> {
    for (const root of this.#opts.config.roots) await mkdir(root, { recursive: true });
    await this.queue.start();
  }

  async stop(): Promise<void> {
    await this.queue.stop();
    await this.#webhooks.close();
  }

  /** The REST face (snake_case); resolves once the job is queued, with its id and final path. */
  submit(input: ExportJobWireRequest, who: SubmitContext): Promise<ExportJobRecord> {
    return this.#serialized(async () => {
      const ctx = await this.#context(who.isAdmin, input.stream);
      return this.#enqueue(await prepareExportJob(input, ctx, await this.#pathIo()), who);
    });
  }

  /** The library face (camelCase), same rules and errors. */
  submitLibrary(request: ExportJobRequest, who: SubmitContext): Promise<ExportJobRecord> {
    return this.#serialized(async () => {
      const ctx = await this.#context(who.isAdmin, request.stream);
      return this.#enqueue(await prepareLibraryExportJob(request, ctx, await this.#pathIo()), who);
    });
  }

  get(id: string): Promise<ExportJobRecord | undefined> {
    return this.queue.get(id);
  }

  list(): Promise<ExportJobRecord[]> {
    return this.queue.list();
  }

  cancel(id: string): Promise<ExportJobRecord> {
    return this.queue.cancel(id);
  }

  remove(id: string): Promise<void> {
    return this.queue.remove(id);
  }

  async #enqueue(spec: ExportJobSpec, who: SubmitContext): Promise<ExportJobRecord> {
    return this.queue.submit({
      id: spec.taskId,
      kind: jobKindOf(spec),
      spec,
      filePath: spec.filePath,
      ...(who.webhookUrl !== undefined && { webhookUrl: who.webhookUrl }),
      ...(who.callback !== undefined && { callback: who.callback }),
    });
  }

  async #context(isAdmin: boolean, stream: unknown): Promise<ExportRequestContext> {
    // The normalizer asks synchronously; the one stream a request names is looked up before.
    const found = typeof stream === 'string' ? await this.#opts.findStream(stream) : undefined;
    if (found !== undefined && typeof stream === 'string') this.#streams.set(stream, found);
    return {
      nowUs: (this.#opts.now ?? nowUs)(),
      timeZone: this.#opts.timeZone,
      exportRoots: this.#opts.config.roots,
      ...(this.#opts.config.fileNameTemplate !== undefined && {
        fileNameTemplate: this.#opts.config.fileNameTemplate,
      }),
      isAdmin,
      findStream: (name) => (name === stream ? found : undefined),
      newTaskId: randomUUID,
    };
  }

  /** A name is taken when a file has it or a job not yet finished will write it (read once per submit). */
  async #pathIo(): Promise<ExportPathIo> {
    const jobs = await this.queue.list();
    const pending = new Set(
      jobs.filter((j) => j.state === 'in_queue' || j.state === 'exporting').map((j) => j.filePath),
    );
    return {
      confine: diskPathIo.confine,
      isTaken: async (path) => pending.has(path) || (await diskPathIo.isTaken(path)),
    };
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#submitting.then(work, work);
    this.#submitting = run.catch(() => undefined);
    return run;
  }
}
