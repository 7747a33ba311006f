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
  type ExportQueueOptions,
  type JobQueue,
  type QueueLogger,
} from '../queue/index.js';
import { createExportRunner, jobKindOf, type JobStream, type TranscodeJob } from './run-export-job.js';
import { partialPathFor } from './write-export-file.js';
import { RemoteExportFiles, type RemoteExportFilesOptions } from './remote-export-files.js';
import { exportFileLocationOf } from './export-file-location.js';
import type { ClusterStorageConfig } from '../../config/cluster-schema.js';
import type { VirtualFile } from '../types.js';

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
  /** `cluster.storage`: finished files go to this bucket and are served from it by every node. */
  fileStorage?: ClusterStorageConfig | undefined;
  fileStorageOptions?: Omit<RemoteExportFilesOptions, 'logger'>;
  /**
   * Builds the queue from the options the in-process queue would get (a
   * cluster passes the pg-boss queue here); default: the in-process ExportQueue.
   */
  queue?: (options: ExportQueueOptions<ExportJobSpec>) => JobQueue<ExportJobSpec>;
}

/** Who asks: admins may pass any custom encoder argument; a webhook URL may be given per job. */
export interface SubmitContext {
  isAdmin: boolean;
  webhookUrl?: string;
  callback?: ExportJobCallback<ExportJobSpec>;
}

export class ExportJobs {
  readonly queue: JobQueue<ExportJobSpec>;
  /** Reads finished files back for downloads (the same reader the archive uses). */
  readonly reader: SegmentByteReader;
  readonly #webhooks: WebhookNotifier;
  /** Where finished files live with cluster storage; undefined: in the local export dir. */
  readonly remoteFiles: RemoteExportFiles | undefined;
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
    const remote =
      options.fileStorage === undefined
        ? undefined
        : new RemoteExportFiles(options.db, options.fileStorage, {
            ...options.fileStorageOptions,
            ...(options.logger !== undefined && { logger: options.logger }),
          });
    this.remoteFiles = remote;
    const runner = createExportRunner({
      source: options.source,
      streamOf: (name) => this.#streams.get(name) ?? { title: name, flip: 'none', rotate: 0 },
      transcode: options.transcode,
      ...(remote !== undefined && { publish: (id, result, signal) => remote.publish(id, result, signal) }),
    });
    const queueOptions: ExportQueueOptions<ExportJobSpec> = {
      store: new SqlJobStore<ExportJobSpec>(options.db),
      runner: {
        run: async (job, context) => {
          // A job submitted on another node (a cluster): its stream is looked up where it runs.
          if (!this.#streams.has(job.spec.stream)) {
            const found = await options.findStream(job.spec.stream);
            if (found !== undefined) this.#streams.set(job.spec.stream, found);
          }
          return runner.run(job, context);
        },
      },
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
    };
    this.queue = options.queue?.(queueOptions) ?? new ExportQueue<ExportJobSpec>(queueOptions);
  }

  async start(): Promise<void> {
    for (const root of this.#opts.config.roots) await mkdir(root, { recursive: true });
    await this.queue.start();
  }

  async stop(): Promise<void> {
    await this.queue.stop();
    await this.#webhooks.close();
    this.remoteFiles?.close();
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

  /**
   * An explicit removal of a finished job also deletes its file in cluster storage (the object goes first: a row
   * is never left pointing at nothing). Auto-removal only drops the row, as it leaves a local file on disk: an
   * export is never lost to a timer; a bucket lifecycle rule on `<prefix>/exports/` ages them out.
   */
  async remove(id: string): Promise<void> {
    const job = await this.queue.get(id);
    if (this.remoteFiles !== undefined && job?.state === 'success') await this.remoteFiles.removeObjectsOf(id);
    await this.queue.remove(id);
  }

  /** `s3://bucket/key` of a job's file in the cluster's bucket; undefined for a file in the local export dir. */
  fileLocationOf(id: string): Promise<string | undefined> {
    return exportFileLocationOf(this.#opts.db, id);
  }

  /** A finished job's file in the cluster's bucket; undefined when it has none there (a local file). */
  async openRemoteFile(job: ExportJobRecord, contentType: string): Promise<VirtualFile | undefined> {
    return this.remoteFiles?.open(job.id, contentType);
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
