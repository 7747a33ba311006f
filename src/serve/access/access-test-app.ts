/**
 * For the access tests: the full app (admin API, exports, viewer URLs,
 * metrics, access routes) over a real archive in a temp dir, with an
 * injectable clock, and every registered route collected through `onRoute`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouteOptions } from 'fastify';
import { Archive, LocalSegmentReader } from '../../archive/index.js';
import { toStreamDefinition } from '../../config/stream-schema.js';
import { ExportJobs, streamsOfArchive } from '../../export/jobs/export-jobs.js';
import { transcodeExportJob } from '../../export/jobs/transcode-job.js';
import type { MediaEngine } from '../../media/types.js';
import { Telemetry } from '../../telemetry/index.js';
import { buildApp, type VigilApp } from '../app.js';
import { FakeRecording, TEST_AUTH } from '../testing/app-harness.js';
import { AccessService } from './access-service.js';
import { databaseAccessStore } from './access-store.js';

export interface AccessTestApp {
  /** The temp dir (removed by close). */
  dir: string;
  app: VigilApp;
  service: AccessService;
  archive: Archive;
  /** Every route as Fastify registered it (HEAD twins included). */
  routes: RouteOptions[];
  /** Moves the access clock (ms). */
  advance(ms: number): void;
  close(): Promise<void>;
}

export interface AccessTestAppOptions {
  trustProxy?: boolean;
  users?: ConstructorParameters<typeof AccessService>[0]['users'];
  /** For tests that import real media; the default decodes nothing. */
  engine?: Pick<MediaEngine, 'decodeThumbnail'>;
}

export async function openAccessTestApp(options: AccessTestAppOptions = {}): Promise<AccessTestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-access-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.sqlite'), defaultRoot: join(dir, 'archive') });
  const reader = new LocalSegmentReader();
  const jobs = new ExportJobs({
    db: archive.db,
    source: { archive, reader },
    config: {
      roots: [join(dir, 'exports')],
      fileNameTemplate: undefined,
      queueMaxLen: 10,
      concurrency: { copy: 1, transcode: 1 },
      cancelTaskWithStates: [],
      removeFinishedAfterMs: 0,
      resumeInterrupted: false,
      webhookUrl: undefined,
      webhookSecret: undefined,
    },
    timeZone: 'UTC',
    findStream: streamsOfArchive(archive),
    transcode: transcodeExportJob,
  });
  let offsetMs = 0;
  const service = new AccessService({
    admin: TEST_AUTH,
    users: options.users ?? [],
    store: databaseAccessStore(archive.db),
    tokenSecret: Buffer.alloc(32, 1),
    now: () => Date.now() + offsetMs,
  });
  const telemetry = new Telemetry({ archive, dvr: { archive, defaults: {} } });
  const app = buildApp({
    archive,
    recording: new FakeRecording(),
    auth: TEST_AUTH,
    access: service,
    exports: jobs,
    telemetry,
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    media: {
      archive,
      reader,
      engine: options.engine ?? {
        decodeThumbnail: async () => {
          throw new Error('no thumbnails in access tests');
        },
      },
      timeZone: 'UTC',
    },
  });
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route as RouteOptions);
  });
  await app.ready();
  for (const name of ['cam', 'other']) {
    await archive.saveStream(toStreamDefinition(name, { url: `rtsp://user:pw@camera.invalid/${name}` }));
  }
  return {
    dir,
    app,
    service,
    archive,
    routes,
    advance: (ms) => (offsetMs += ms),
    async close() {
      await app.close();
      await jobs.stop();
      await reader.close();
      await archive.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
