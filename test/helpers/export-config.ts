import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive, LocalSegmentReader } from '../../src/archive/index.js';
import type { ExportsConfig } from '../../src/config/config-file.js';
import { toStreamDefinition } from '../../src/config/stream-schema.js';
import { ExportJobs, streamsOfArchive } from '../../src/export/jobs/export-jobs.js';
import type { TranscodeJob } from '../../src/export/jobs/run-export-job.js';
import { transcodeExportJob } from '../../src/export/jobs/transcode-job.js';
import { createMediaEngine, type MediaEngine } from '../../src/media/index.js';
import { buildApp, type VigilApp } from '../../src/serve/app.js';
import { FakeRecording, TEST_AUTH } from '../../src/serve/testing/app-harness.js';

/** The config's export defaults with the given roots (what `vigil serve` uses without an `exports:` section). */
export function defaultConfigForTests(roots: string[]): ExportsConfig {
  return {
    roots,
    fileNameTemplate: undefined,
    queueMaxLen: 1000,
    concurrency: { copy: 2, transcode: 1 },
    cancelTaskWithStates: [],
    removeFinishedAfterMs: 0,
    resumeInterrupted: false,
    webhookUrl: undefined,
    webhookSecret: undefined,
  };
}

/** A real archive, media engine, export job service and app in a temp dir, with a stream `cam` defined. */
export interface ExportTestApp {
  dir: string;
  exportRoot: string;
  archive: Archive;
  engine: MediaEngine;
  jobs: ExportJobs;
  app: VigilApp;
  /** Closes everything and removes the temp dir. */
  close(): Promise<void>;
}

export async function openExportTestApp(options: {
  /** The stream's title (what name watermarks draw). */
  title: string;
  /** Zone of file names and watermarks (the app's media URLs use UTC). */
  timeZone?: string;
  /** Default: the real transcode. */
  transcode?: TranscodeJob;
}): Promise<ExportTestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-export-app-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  const engine = createMediaEngine();
  const reader = new LocalSegmentReader();
  const exportRoot = join(dir, 'exports');
  const jobs = new ExportJobs({
    db: archive.db,
    source: { archive, reader },
    config: defaultConfigForTests([exportRoot]),
    timeZone: options.timeZone ?? 'UTC',
    findStream: streamsOfArchive(archive),
    transcode: options.transcode ?? transcodeExportJob,
  });
  const app = buildApp({
    archive,
    recording: new FakeRecording(),
    auth: TEST_AUTH,
    exports: jobs,
    media: { archive, reader, engine, timeZone: 'UTC' },
  });
  await archive.saveStream(toStreamDefinition('cam', { url: 'rtsp://camera.invalid/main', title: options.title }));
  return {
    dir,
    exportRoot,
    archive,
    engine,
    jobs,
    app,
    async close() {
      await app.close();
      await jobs.stop();
      await reader.close();
      await archive.close();
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
