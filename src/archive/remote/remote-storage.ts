/**
 * Cluster storage for one Vigil process: the bucket, the uploader and the
 * readers, behind the hooks the archive calls (`ArchiveRemoteStorage`).
 */
import type { Kysely } from 'kysely';
import type { ClusterStorageConfig } from '../../config/cluster-schema.js';
import type { ArchiveRemoteStorage } from '../archive.js';
import type { Database } from '../index/database.js';
import { lockSegmentStorage } from '../index/segment-storage.repo.js';
import type { SegmentByteReader, SegmentRecord } from '../types.js';
import { LocalFirstSegmentReader, RemoteSegmentReader } from './remote-reader.js';
import { S3SegmentStore, type S3StoreOptions } from './s3-store.js';
import { SegmentUploader, type UploaderLogger } from './segment-uploader.js';

export interface RemoteStorageOptions extends S3StoreOptions {
  logger?: UploaderLogger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a retention delete waits for the bucket (default 30 s); the row stays when it fails. */
  deleteTimeoutMs?: number;
}

export class RemoteStorage implements ArchiveRemoteStorage {
  readonly store: S3SegmentStore;
  readonly uploader: SegmentUploader;
  readonly #deleteTimeoutMs: number;

  constructor(db: Kysely<Database>, config: ClusterStorageConfig, options: RemoteStorageOptions = {}) {
    this.store = new S3SegmentStore(config, options);
    this.#deleteTimeoutMs = options.deleteTimeoutMs ?? 30_000;
    this.uploader = new SegmentUploader({
      db,
      store: this.store,
      localCacheBytes: config.localCacheBytes,
      concurrency: config.uploadConcurrency,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
      ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
    });
  }

  /** Queues what a previous run left unconfirmed; call after the archive's recovery. */
  start(): Promise<void> {
    return this.uploader.start();
  }

  async stop(): Promise<void> {
    await this.uploader.stop();
    this.store.close();
  }

  /** Reads the local copy when there is one, else the bucket. */
  readerOver(local: SegmentByteReader): SegmentByteReader {
    return new LocalFirstSegmentReader(local, new RemoteSegmentReader(this.store));
  }

  segmentClosed(segment: SegmentRecord): void {
    this.uploader.enqueue(segment.id);
  }

  async deleteObjectOf(trx: Kysely<Database>, segment: SegmentRecord): Promise<void> {
    // A `local` segment may be mid-upload: the uploader then finds its row gone and deletes the object itself.
    const storage = await lockSegmentStorage(trx, segment.id);
    if (storage !== 'both' && storage !== 'remote') return;
    await this.store.delete(this.store.keyFor(segment.path), AbortSignal.timeout(this.#deleteTimeoutMs));
  }
}
