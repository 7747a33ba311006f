/**
 * Finished export files in the cluster's bucket, beside the segments: one
 * object per job under `<prefix>/exports/<job id>/<file name>`. The job id in
 * the key keeps two jobs that chose the same file name apart, and lets a
 * removed job's objects be found without its row. Same client, timeouts and
 * integrity checks as the segments (s3-store.ts).
 */
import type { ClusterStorageConfig } from '../../config/cluster-schema.js';
import { VigilError } from '../../errors.js';
import type { SegmentByteReader, SegmentFileRef } from '../types.js';
import { S3SegmentStore, s3Sdk, type S3StoreOptions } from './s3-store.js';

const EXPORTS_FOLDER = 'exports';

export class ExportObjectStore {
  readonly store: S3SegmentStore;
  /** Reads the object whose key is the file ref's `path` (the root is ignored). */
  readonly reader: SegmentByteReader;

  constructor(config: ClusterStorageConfig, options: S3StoreOptions = {}) {
    this.store = new S3SegmentStore(config, options);
    const store = this.store;
    this.reader = {
      source: 'remote',
      async *read(file: SegmentFileRef, offset: number, length: number, signal: AbortSignal) {
        if (length <= 0) return;
        yield* store.readRange(file.path, offset, length, signal);
      },
    };
  }

  /** The key of a job's file; STORAGE_FAILED for a name that is not one plain path segment. */
  keyFor(jobId: string, fileName: string): string {
    if (fileName.includes('/') || fileName.includes('\\')) {
      throw new VigilError('STORAGE_FAILED', `export file name ${JSON.stringify(fileName)} is not a plain file name`);
    }
    return this.store.keyFor(`${EXPORTS_FOLDER}/${jobId}/${fileName}`);
  }

  /** `s3://bucket/key`, as the job row records it. */
  locationOf(key: string): string {
    return this.store.describe(key);
  }

  /** The key of a recorded location, or undefined when it names another bucket (or is not an s3:// URL). */
  keyOfLocation(location: string): string | undefined {
    const head = `s3://${this.store.bucket}/`;
    return location.startsWith(head) && location.length > head.length ? location.slice(head.length) : undefined;
  }

  /**
   * Uploads a local file and confirms it (a HEAD shows its size and checksum);
   * STORAGE_FAILED naming the object when either fails.
   */
  async upload(localPath: string, key: string, sizeBytes: number, signal: AbortSignal): Promise<void> {
    const expected = await this.store.uploadFile(localPath, key, sizeBytes, signal);
    if (!(await this.store.confirm(key, expected, signal))) {
      throw new VigilError(
        'STORAGE_FAILED',
        `${this.locationOf(key)}: after the upload the server does not hold the ${sizeBytes} bytes sent`,
      );
    }
  }

  /** The object's size, or undefined when there is no such object. */
  async sizeOf(key: string, signal: AbortSignal): Promise<number | undefined> {
    try {
      const head = await this.store.client.send(
        new (s3Sdk().HeadObjectCommand)({ Bucket: this.store.bucket, Key: key }),
        {
          abortSignal: signal,
        },
      );
      return head.ContentLength;
    } catch (cause) {
      if (statusOf(cause) === 404) return undefined;
      throw new VigilError('STORAGE_FAILED', `checking ${this.locationOf(key)} failed: ${text(cause)}`, { cause });
    }
  }

  /** Deletes every object of a job (normally one); none is fine. */
  async deleteJob(jobId: string, signal: AbortSignal): Promise<void> {
    const folder = `${this.store.keyFor(`${EXPORTS_FOLDER}/${jobId}`)}/`;
    let token: string | undefined;
    do {
      let keys: string[];
      try {
        const page = await this.store.client.send(
          new (s3Sdk().ListObjectsV2Command)({
            Bucket: this.store.bucket,
            Prefix: folder,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          { abortSignal: signal },
        );
        keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } catch (cause) {
        throw new VigilError('STORAGE_FAILED', `listing ${this.locationOf(folder)} failed: ${text(cause)}`, { cause });
      }
      for (const key of keys) await this.store.delete(key, signal);
    } while (token !== undefined);
  }

  close(): void {
    this.store.close();
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
