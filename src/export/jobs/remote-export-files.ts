/**
 * Export files in a cluster: with `cluster.storage` set, the exporter uploads
 * each finished file to the bucket, confirms it, records its location in the
 * job's row and removes its local copy; any API node then serves the download
 * from the bucket. The bucket, not an exporter's disk, is the file's home:
 * the local copy would only be reachable from that one node and would fill
 * its disk, and a local file of the same name on another node could be
 * another job's (names are chosen per node).
 *
 * An upload is tried a few times with backoff (the SDK retries each request
 * as well); if the bucket still does not take it, the job ends in `error`
 * with STORAGE_FAILED, never in a `success` that no node can serve.
 */
import { unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../../archive/index/database.js';
import { ExportObjectStore } from '../../archive/remote/export-objects.js';
import type { S3StoreOptions } from '../../archive/remote/s3-store.js';
import type { ClusterStorageConfig } from '../../config/cluster-schema.js';
import { VigilError } from '../../errors.js';
import type { QueueLogger, RunResult } from '../queue/index.js';
import type { VirtualFile } from '../types.js';
import { readVirtualFile } from '../virtual-file.js';
import { exportFileLocationOf, recordExportFileLocation } from './export-file-location.js';

export interface RemoteExportFilesOptions {
  /** Uploads tried before the job fails (default 4). */
  uploadAttempts?: number;
  /** Wait before the second attempt; doubles after each (default 1 s). */
  retryDelayMs?: number;
  /** How long deleting a removed job's object may take (default 30 s). */
  deleteTimeoutMs?: number;
  s3?: S3StoreOptions;
  logger?: QueueLogger;
}

const HEAD_TIMEOUT_MS = 30_000;

export class RemoteExportFiles {
  readonly objects: ExportObjectStore;
  readonly #db: Kysely<Database>;
  readonly #attempts: number;
  readonly #retryDelayMs: number;
  readonly #deleteTimeoutMs: number;
  readonly #logger: QueueLogger | undefined;

  constructor(db: Kysely<Database>, config: ClusterStorageConfig, options: RemoteExportFilesOptions = {}) {
    this.#db = db;
    this.objects = new ExportObjectStore(config, options.s3);
    this.#attempts = Math.max(1, options.uploadAttempts ?? 4);
    this.#retryDelayMs = options.retryDelayMs ?? 1_000;
    this.#deleteTimeoutMs = options.deleteTimeoutMs ?? 30_000;
    this.#logger = options.logger;
  }

  /**
   * After a runner wrote a job's file: uploads it, confirms it and records
   * where it is; then the local copy goes. On failure the object and the local
   * file are removed and STORAGE_FAILED is thrown (an abort is rethrown as is).
   */
  async publish(jobId: string, result: RunResult, signal: AbortSignal): Promise<RunResult> {
    const key = this.objects.keyFor(jobId, basename(result.filePath));
    const location = this.objects.locationOf(key);
    try {
      // A previous run of this job (another exporter, before a restart) may have recorded one.
      await recordExportFileLocation(this.#db, jobId, null);
      await this.#uploadWithRetries(result, key, signal);
      signal.throwIfAborted();
      if (!(await recordExportFileLocation(this.#db, jobId, location))) {
        throw new VigilError('NOT_FOUND', `export job ${jobId} was removed while its file was uploaded`);
      }
    } catch (err) {
      await this.#discard(jobId, result.filePath);
      throw err;
    }
    await unlink(result.filePath).catch((err: unknown) => {
      this.#logger?.warn({ err, id: jobId, path: result.filePath }, 'could not remove an uploaded export file');
    });
    return result;
  }

  /** The job's file in the bucket, ready to serve; undefined when the job has no recorded location. */
  async open(jobId: string, contentType: string): Promise<VirtualFile | undefined> {
    const location = await exportFileLocationOf(this.#db, jobId);
    if (location === undefined) return undefined;
    const key = this.objects.keyOfLocation(location);
    if (key === undefined) {
      throw new VigilError(
        'NOT_FOUND',
        `the file of export ${jobId} is at ${location}, outside this node's bucket s3://${this.objects.store.bucket}`,
        { field: 'id' },
      );
    }
    const sizeBytes = await this.objects.sizeOf(key, AbortSignal.timeout(HEAD_TIMEOUT_MS));
    if (sizeBytes === undefined) {
      throw new VigilError('NOT_FOUND', `the file of export ${jobId} is no longer at ${location}`, { field: 'id' });
    }
    return readVirtualFile(
      {
        contentType,
        sizeBytes,
        parts: [{ kind: 'file', file: { root: '', path: key }, offset: 0, length: sizeBytes }],
      },
      this.objects.reader,
    );
  }

  /** Deletes a job's objects (a removed job: its row may already be gone). */
  removeObjectsOf(jobId: string): Promise<void> {
    return this.objects.deleteJob(jobId, AbortSignal.timeout(this.#deleteTimeoutMs));
  }

  close(): void {
    this.objects.close();
  }

  async #uploadWithRetries(result: RunResult, key: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.objects.upload(result.filePath, key, result.bytes, signal);
        return;
      } catch (err) {
        signal.throwIfAborted();
        const message = err instanceof Error ? err.message : String(err);
        if (attempt >= this.#attempts) {
          throw new VigilError(
            'STORAGE_FAILED',
            `the export was written but could not be stored at ${this.objects.locationOf(key)} ` +
              `after ${attempt} attempts (${message}); export it again once the storage answers`,
            { cause: err },
          );
        }
        const delayMs = this.#retryDelayMs * 2 ** (attempt - 1);
        this.#logger?.warn({ err, key, attempt, retryInMs: delayMs }, 'export upload failed; retrying');
        await sleep(delayMs, undefined, { signal });
      }
    }
  }

  async #discard(jobId: string, localPath: string): Promise<void> {
    await unlink(localPath).catch(() => undefined);
    await this.removeObjectsOf(jobId).catch((err: unknown) => {
      this.#logger?.warn({ err, id: jobId }, 'could not delete the object of a failed export');
    });
  }
}
