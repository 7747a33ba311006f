/**
 * A real S3-compatible server on loopback for tests: s3rver (an S3 server in
 * Node) over a temp directory, on a free port, with one bucket. It can be
 * stopped and started again on the same port and directory, to play an
 * outage: objects stored before it are still there after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterStorageConfig } from '../../src/config/cluster-schema.js';
import { findFreePort } from './free-port.js';

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;

// s3rver is CommonJS without types; this is the part of it the tests use.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects. */
  directory: string;
  /** A storage config for this server (s3rver accepts its fixed S3RVER key pair). */
  storageConfig(overrides?: Partial<ClusterStorageConfig>): ClusterStorageConfig;
  /** Stops answering (connections are refused) until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'vigil-test'): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'vigil-s3rver-'));
  const port = await findFreePort();
  let server: S3rverInstance | undefined;
  const start = async () => {
    if (server !== undefined) return;
    const next = new S3rver({
      port,
      address: '127.0.0.1',
      directory,
      silent: true,
      configureBuckets: [{ name: bucket }],
    });
    await next.run();
    server = next;
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    await running?.close();
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    storageConfig(overrides = {}) {
      const config = {
        bucket,
        prefix: 'archive',
        endpoint,
        region: 'us-east-1',
        accessKeyId: 'S3RVER',
        forcePathStyle: true,
        localCacheBytes: 0,
        uploadConcurrency: 2,
        ...overrides,
      };
      Object.defineProperty(config, 'secretAccessKey', { value: 'S3RVER', enumerable: false });
      return config as ClusterStorageConfig;
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
