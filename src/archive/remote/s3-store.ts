/**
 * Segment objects in an S3-compatible bucket: upload a closed segment file,
 * confirm what the server holds, read byte ranges, delete. Every request has
 * a connect and an idle timeout and the SDK's own retries; the uploader adds
 * retries for ever on top.
 *
 * Integrity: a single PUT carries Content-MD5 (S3 refuses a body that does
 * not match it), and every upload is confirmed by a HEAD whose size and ETag
 * must match what was read from the local file. The SDK's flexible checksums
 * are asked only where required: their streaming trailers are not understood
 * by every S3-compatible server, and the ETag check covers both paths.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type * as S3 from '@aws-sdk/client-s3';
import type * as S3Storage from '@aws-sdk/lib-storage';
import type { ClusterStorageConfig } from '../../config/cluster-schema.js';
import { VigilError } from '../../errors.js';
import { lazyRequire } from '../../lazy-require.js';

/** The AWS SDK, loaded when the first S3 store is made (src/lazy-require.ts says why). */
export const s3Sdk = lazyRequire<typeof S3>('@aws-sdk/client-s3');
const s3StorageSdk = lazyRequire<typeof S3Storage>('@aws-sdk/lib-storage');

export interface S3StoreOptions {
  connectTimeoutMs?: number;
  /** A request with no bytes moving for this long fails (and is retried). */
  idleTimeoutMs?: number;
  /** Attempts per request by the SDK (default 3). */
  maxAttempts?: number;
  /** Files above this go up in parts (default 64 MiB). */
  multipartThresholdBytes?: number;
  /** Part size of multipart uploads (default 16 MiB; S3's minimum is 5 MiB). */
  partSizeBytes?: number;
}

/** What the server must report after an upload for it to count as confirmed. */
export interface ExpectedObject {
  sizeBytes: number;
  /** Accepted ETags, unquoted: the MD5 of the bytes, and for multipart also S3's MD5-of-part-MD5s-N. */
  etags: string[];
}

const MiB = 1024 * 1024;

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/"/g, '').toLowerCase();
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof s3Sdk().S3ServiceException &&
    (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)
  );
}

export class S3SegmentStore {
  readonly client: S3.S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly #multipartThresholdBytes: number;
  readonly #partSizeBytes: number;

  constructor(config: ClusterStorageConfig, options: S3StoreOptions = {}) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.#multipartThresholdBytes = options.multipartThresholdBytes ?? 64 * MiB;
    this.#partSizeBytes = Math.max(5 * MiB, options.partSizeBytes ?? 16 * MiB);
    this.client = new (s3Sdk().S3Client)({
      region: config.region,
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      forcePathStyle: config.forcePathStyle,
      ...(config.accessKeyId === undefined || config.secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }),
      maxAttempts: options.maxAttempts ?? 3,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? 5_000,
        requestTimeout: options.idleTimeoutMs ?? 30_000,
      },
    });
  }

  /** The object key of a segment path (relative to its root, as the index stores it). */
  keyFor(path: string): string {
    const clean = path.replace(/\\/g, '/').replace(/^\/+/, '');
    // The same check as a local path: the index's paths never leave the stream's folder.
    if (clean === '' || clean.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new VigilError(
        'STORAGE_FAILED',
        `segment path ${JSON.stringify(path)} is not a relative path inside a root`,
      );
    }
    return this.prefix === '' ? clean : `${this.prefix}/${clean}`;
  }

  /** `s3://bucket/key`, for messages. */
  describe(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /** Uploads `sizeBytes` of a local file; returns what a HEAD must then show. */
  async uploadFile(localPath: string, key: string, sizeBytes: number, signal: AbortSignal): Promise<ExpectedObject> {
    try {
      if (sizeBytes <= this.#multipartThresholdBytes) {
        const body = await readExactly(localPath, sizeBytes);
        const md5 = createHash('md5').update(body).digest();
        await this.client.send(
          new (s3Sdk().PutObjectCommand)({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentLength: body.byteLength,
            ContentMD5: md5.toString('base64'),
            ContentType: 'video/mp4',
          }),
          { abortSignal: signal },
        );
        return { sizeBytes, etags: [md5.toString('hex')] };
      }
      const expected = await multipartDigests(localPath, sizeBytes, this.#partSizeBytes);
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await new (s3StorageSdk().Upload)({
          client: this.client,
          params: {
            Bucket: this.bucket,
            Key: key,
            Body: createReadStream(localPath, { start: 0, end: sizeBytes - 1 }),
            ContentType: 'video/mp4',
          },
          partSize: this.#partSizeBytes,
          queueSize: 2,
          leavePartsOnError: false,
          abortController: controller,
        }).done();
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      return expected;
    } catch (cause) {
      throw new VigilError('STORAGE_FAILED', `uploading ${localPath} to ${this.describe(key)} failed: ${text(cause)}`, {
        cause,
      });
    }
  }

  /** True when the server holds an object of the expected size and ETag. */
  async confirm(key: string, expected: ExpectedObject, signal: AbortSignal): Promise<boolean> {
    try {
      const head = await this.client.send(new (s3Sdk().HeadObjectCommand)({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      });
      return head.ContentLength === expected.sizeBytes && expected.etags.includes(unquote(head.ETag));
    } catch (cause) {
      if (isNotFound(cause)) return false;
      throw new VigilError('STORAGE_FAILED', `checking ${this.describe(key)} failed: ${text(cause)}`, { cause });
    }
  }

  /**
   * Yields exactly `length` bytes from `offset` of the object, with range GETs;
   * a body cut short is resumed where it stopped (twice at most).
   */
  async *readRange(key: string, offset: number, length: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
    let received = 0;
    for (let resumes = 0; received < length; resumes += 1) {
      signal.throwIfAborted();
      const from = offset + received;
      let body: Readable;
      try {
        const res = await this.client.send(
          new (s3Sdk().GetObjectCommand)({
            Bucket: this.bucket,
            Key: key,
            Range: `bytes=${from}-${offset + length - 1}`,
          }),
          { abortSignal: signal },
        );
        body = res.Body as Readable;
      } catch (cause) {
        throw new VigilError('STORAGE_FAILED', `reading ${this.describe(key)} failed: ${text(cause)}`, { cause });
      }
      try {
        for await (const chunk of body as AsyncIterable<Uint8Array>) {
          const take = Math.min(chunk.byteLength, length - received);
          received += take;
          yield take < chunk.byteLength ? chunk.subarray(0, take) : chunk;
          if (received >= length) break;
        }
      } catch (cause) {
        signal.throwIfAborted();
        if (resumes >= 2) {
          throw new VigilError('STORAGE_FAILED', `reading ${this.describe(key)} failed: ${text(cause)}`, { cause });
        }
      } finally {
        body.destroy();
      }
      if (received < length && resumes >= 2) {
        throw new VigilError(
          'STORAGE_FAILED',
          `${this.describe(key)} ends at byte ${offset + received}, but the index has bytes up to ${offset + length}`,
        );
      }
    }
  }

  /** Deletes the object; one already gone is fine (S3 answers 204 either way). */
  async delete(key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: key }), {
        ...(signal === undefined ? {} : { abortSignal: signal }),
      });
    } catch (cause) {
      if (isNotFound(cause)) return;
      throw new VigilError('STORAGE_FAILED', `deleting ${this.describe(key)} failed: ${text(cause)}`, { cause });
    }
  }

  close(): void {
    this.client.destroy();
  }
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The first `sizeBytes` of a file (the index's size: a torn tail past it is not part of the segment). */
async function readExactly(path: string, sizeBytes: number): Promise<Buffer> {
  if (sizeBytes === 0) return Buffer.alloc(0);
  const whole = await readFile(path);
  if (whole.byteLength < sizeBytes) {
    throw new Error(`${path} has ${whole.byteLength} bytes, the index has ${sizeBytes}`);
  }
  return whole.byteLength === sizeBytes ? whole : whole.subarray(0, sizeBytes);
}

/** MD5 of the whole file and S3's multipart ETag (MD5 of the part MD5s, then `-N`), in one read. */
async function multipartDigests(path: string, sizeBytes: number, partSizeBytes: number): Promise<ExpectedObject> {
  const whole = createHash('md5');
  const partDigests: Buffer[] = [];
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(partSizeBytes);
    for (let at = 0; at < sizeBytes;) {
      const want = Math.min(partSizeBytes, sizeBytes - at);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await fh.read(buf, filled, want - filled, at + filled);
        if (bytesRead === 0) throw new Error(`${path} ends at byte ${at + filled}, the index has ${sizeBytes}`);
        filled += bytesRead;
      }
      const part = buf.subarray(0, want);
      whole.update(part);
      partDigests.push(createHash('md5').update(part).digest());
      at += want;
    }
  } finally {
    await fh.close();
  }
  const multipart = `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
  // Some S3-compatible servers (s3rver among them) give a multipart object the MD5 of its bytes instead.
  return { sizeBytes, etags: [multipart, whole.digest('hex')] };
}
