/** node-media-server in the test's process: the real RTMP server the publisher and ingest tests talk to. */
import { createRequire } from 'node:module';

/** The part of node-media-server (CommonJS, untyped) the tests use. */
export interface NodeMediaServerInstance {
  run(): Promise<void>;
  stop(): Promise<void>;
  on(event: 'postPlay' | 'postPublish', listener: (session: { streamPath?: string }) => void): void;
}
type NodeMediaServerClass = new (config: object) => NodeMediaServerInstance;

/** RTMP only, bound to 127.0.0.1, its store in `storeDir`, quiet. */
export function startRtmpServer(port: number, storeDir: string): NodeMediaServerInstance {
  const require = createRequire(import.meta.url);
  const NodeMediaServer = require('node-media-server') as NodeMediaServerClass;
  const logger = require('node-media-server/src/core/logger.js') as { level: string };
  const server = new NodeMediaServer({ bind: '127.0.0.1', rtmp: { port }, store: { path: storeDir } });
  logger.level = 'error';
  void server.run();
  return server;
}
