/**
 * Composes a running Vigil from its configuration: the archive (opened and
 * recovered), the media engine, the recording manager, retention and the
 * HTTP app, listening. `stop()` takes them down in order: recorders close
 * their segments, retention and the app stop, the index closes last.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import { Archive, LocalSegmentReader, RetentionRunner } from './archive/index.js';
import { indexLocationFor } from './archive/index/database.js';
import { RemoteStorage } from './archive/remote/index.js';
import type { VigilConfig } from './config/config-file.js';
import { toStreamDefinition } from './config/stream-schema.js';
import type { StreamDefinition } from './config/stream-types.js';
import { VigilError } from './errors.js';
import { ExportJobs, streamsOfArchive } from './export/jobs/export-jobs.js';
import { transcodeExportJob } from './export/jobs/transcode-job.js';
import { pgBossQueueFactory } from './export/queue/index.js';
import { checkFileNameTemplate, type ExportJobSpec } from './export/request/index.js';
import { PlanCache } from './export/plan-cache.js';
import type { ExportSource } from './export/plan-export.js';
import { createMediaEngine } from './media/index.js';
import { RecordingManager, type RecordingControl, type RecordingManagerOptions } from './record/index.js';
import { retentionLeadership, startClusterRecording } from './cluster/index.js';
import { RtmpIngest } from './record/ingest/index.js';
import { isPublishSource } from './config/stream-types.js';
import { registerVigilIngest } from './publish/vigil-address.js';
import { buildApp, type VigilApp } from './serve/app.js';
import type { AdminAuth } from './serve/deps.js';
import { AccessService, databaseAccessStore, loadTokenSecret, redactTokenInUrl } from './serve/access/index.js';
import { Telemetry } from './telemetry/index.js';
import { secondsToUs } from './time.js';

export const DEMO_STREAM = { name: 'demo', url: 'demo://clock', title: 'Demo clock' } as const;

export interface StartOptions {
  logger?: Logger;
  /** Where the start-up lines (URL, generated token) go; stdout by default. */
  print?: (line: string) => void;
}

export interface RunningVigil {
  /** Base URL of the HTTP server; '' on a cluster node without the api role (it does not listen). */
  url: string;
  /** 0 when not listening. */
  port: number;
  /** The admin token generated at start, when no admin credentials were configured. */
  adminToken?: string;
  app: VigilApp;
  /** The export job service: what `new VideoExporter({ jobs: vigil.exports })` drives in process. */
  exports: ExportJobs;
  /** Stops recording, the server and the index; safe to call more than once. */
  stop(): Promise<void>;
}

export function createLogger(level = process.env.VIGIL_LOG_LEVEL ?? 'info'): Logger {
  // Credentials can travel in headers and in source URLs; keep them out of logs.
  return pino({
    level,
    redact: [
      'req.headers.authorization',
      'headers.authorization',
      'def.url',
      'def.substreamUrl',
      'def.publishKey',
      'url',
      'req.headers.cookie',
      'headers.cookie',
      'req.query.token',
      'query.token',
    ],
    // Play tokens and keys may ride in `?token=`; request URLs keep their path, never the secret.
    serializers: {
      req: (req: { method?: string; url?: string; ip?: string }) => ({
        method: req.method,
        url: redactTokenInUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
  });
}

function isBuiltInDemo(def: StreamDefinition): boolean {
  return def.name === DEMO_STREAM.name && def.url === DEMO_STREAM.url;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

async function startExportJobs(
  config: VigilConfig,
  source: ExportSource & { archive: Archive },
  logger: Logger,
): Promise<ExportJobs> {
  const { archive } = source;
  const { node, database } = config.cluster;
  if (config.exports.fileNameTemplate !== undefined) {
    try {
      checkFileNameTemplate(config.exports.fileNameTemplate, 'exports.file_name_template');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new VigilError('INVALID_CONFIG', `${config.file ?? 'config'}: ${message}`, {
        field: 'exports.file_name_template',
      });
    }
  }
  const exports = new ExportJobs({
    db: archive.db,
    source,
    config: config.exports,
    timeZone: config.timezone,
    findStream: streamsOfArchive(archive),
    transcode: transcodeExportJob,
    logger,
    fileStorage: config.cluster.storage,
    // A cluster shares its jobs through pg-boss; only `exporter` nodes run them.
    ...(node.queue === 'pg-boss' &&
      database !== undefined && {
        queue: pgBossQueueFactory<ExportJobSpec>({
          db: archive.db,
          connectionString: database.url,
          nodeId: node.id,
          runsJobs: node.roles.has('exporter'),
        }),
      }),
  });
  await exports.start();
  return exports;
}

export async function startVigil(config: VigilConfig, options: StartOptions = {}): Promise<RunningVigil> {
  const logger = options.logger ?? createLogger();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));

  await mkdir(config.dataDir, { recursive: true });
  await mkdir(config.dvr.root, { recursive: true });
  const archive = await Archive.open({
    databasePath: indexLocationFor(config),
    defaultRoot: config.dvr.root,
    gapToleranceUs: secondsToUs(config.dvr.gapToleranceSeconds),
  });

  const cleanup: Array<() => Promise<void>> = [() => archive.close()];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
    }
  };

  try {
    const report = await archive.recover();
    logger.info({ report }, 'archive recovered');
    // Before the recorders start, so every segment they close is uploaded.
    const storage = config.cluster.storage;
    const remote = storage === undefined ? undefined : new RemoteStorage(archive.db, storage, { logger });
    if (remote !== undefined) {
      archive.useRemoteStorage(remote);
      cleanup.push(() => remote.stop());
      await remote.start();
    }
    // Stopped second to last: the sinks get the shutdown's own events, then flush.
    const dvrDefaults = { diskLimitBytes: config.dvr.diskLimitBytes, expirationSeconds: config.dvr.expirationSeconds };
    const telemetry = new Telemetry({
      sinks: config.eventSinks,
      archive,
      dvr: { archive, defaults: dvrDefaults },
      logger,
      processMetrics: true,
    });
    telemetry.start();
    cleanup.push(() => telemetry.stop());

    const engine = createMediaEngine();
    cleanup.push(() => engine.close());
    // Started before the recorders (so stopped after them): their publish:// gates live in it.
    const rtmp = config.rtmp;
    const ingest = rtmp && (await RtmpIngest.start({ ...rtmp, findStream: (n) => archive.getStream(n), log: logger }));
    if (ingest) {
      const unregister = registerVigilIngest({ publishUrl: (n) => ingest.localPublishUrl(n) });
      cleanup.push(async () => {
        unregister();
        await ingest.stop();
      });
    }
    const recorderOptions = {
      engine,
      sourceGate: (stream, url) => (isPublishSource(url) ? ingest?.gateFor(stream) : undefined),
      recorderDefaults: {
        segmentDurationUs: secondsToUs(config.dvr.segmentDurationSeconds),
        stallTimeoutMs: config.record.stallTimeoutSeconds * 1000,
        minBackoffMs: config.record.backoffMinSeconds * 1000,
        maxBackoffMs: config.record.backoffMaxSeconds * 1000,
        warn: (message) => logger.warn(message),
      },
      onRecorder: (recorder) => {
        const { stream, variant } = recorder.options;
        telemetry.observeRecorder(recorder);
        recorder.on('stateChanged', (state) => {
          const error = state.lastError;
          if (state.status === 'retrying' && error) {
            logger.warn({ stream, variant, code: error.code, error: error.message }, 'recorder retrying');
          } else {
            logger.info({ stream, variant, status: state.status }, 'recorder state');
          }
        });
      },
    } satisfies Omit<RecordingManagerOptions, 'archive'>;
    // Cluster mode (a shared index): recorders follow stream leases (src/cluster/), started once the streams are saved.
    const clustered = config.cluster.database !== undefined;
    const manager = clustered ? undefined : new RecordingManager({ ...recorderOptions, archive });
    if (manager !== undefined) cleanup.push(() => manager.stopAll());

    const leadership = clustered ? retentionLeadership(archive.db) : undefined;
    if (leadership !== undefined) cleanup.push(() => leadership.stop());
    const retention = new RetentionRunner({
      archive,
      logger,
      ...(leadership === undefined ? {} : { leader: () => leadership.isLeader() }),
      keepUnconfirmedUploads: remote !== undefined,
      intervalMs: config.dvr.retentionIntervalSeconds * 1000,
      ...telemetry.retention(),
      defaults: {
        ...(config.dvr.expirationSeconds === undefined ? {} : { maxAgeUs: secondsToUs(config.dvr.expirationSeconds) }),
        ...(config.dvr.diskLimitBytes === undefined ? {} : { quotaBytes: config.dvr.diskLimitBytes }),
      },
    });
    retention.start();
    cleanup.push(() => retention.stop());

    // Streams in the config file win over what an earlier run saved under the same name.
    for (const def of config.streams) await archive.saveStream(def);
    let streams = await archive.listStreams();
    if (streams.length === 0 && config.demo) {
      const demo = toStreamDefinition(DEMO_STREAM.name, { url: DEMO_STREAM.url, title: DEMO_STREAM.title });
      await archive.saveStream(demo);
      streams = [demo];
    }
    if (!ingest && streams.some((s) => isPublishSource(s.url))) {
      logger.warn('some streams are publish:// but no rtmp: section is configured: nothing can publish to them');
    }
    let recording: RecordingControl;
    if (manager === undefined) {
      const cluster = await startClusterRecording({
        db: archive.db,
        archive,
        node: config.cluster.node,
        logger,
        createRecording: (fenced) => new RecordingManager({ ...recorderOptions, archive: fenced }),
        wants: (def) => config.demo || !isBuiltInDemo(def),
      });
      cleanup.push(() => cluster.stop());
      recording = cluster.control;
    } else {
      for (const def of streams) {
        if (!config.demo && isBuiltInDemo(def)) continue;
        await manager.apply(def);
      }
      recording = manager;
    }

    let adminToken: string | undefined;
    const auth: AdminAuth = { ...config.admin };
    if (auth.token === undefined && auth.user === undefined) {
      adminToken = randomBytes(24).toString('base64url');
      auth.token = adminToken;
    }

    const localReader = new LocalSegmentReader();
    cleanup.push(() => localReader.close());
    const reader = remote === undefined ? localReader : remote.readerOver(localReader);
    const planCache = new PlanCache();
    const exports = await startExportJobs(config, { archive, reader, planCache }, logger);
    cleanup.push(() => exports.stop());
    telemetry.attachExports(exports);
    const access = new AccessService({
      admin: auth,
      users: config.access.users,
      store: databaseAccessStore(archive.db),
      tokenSecret: await loadTokenSecret(config.dataDir, config.access.tokenSecret),
      sessionTtlSeconds: config.access.sessionTtlSeconds,
      loginMaxFailures: config.access.loginMaxFailures,
      loginWindowSeconds: config.access.loginWindowSeconds,
    });
    const app = buildApp({
      archive: telemetry.withLockEvents(archive),
      recording,
      auth,
      access,
      trustProxy: config.access.trustProxy,
      logger,
      defaultDvrRoot: config.dvr.root,
      exports,
      telemetry,
      media: {
        archive,
        reader,
        planCache,
        engine,
        timeZone: config.timezone,
        onServed: (usage) => telemetry.recordServed(usage),
      },
    });
    cleanup.push(() => app.close());
    const { node } = config.cluster;
    // A cluster node without the api role serves no HTTP: other nodes answer the API for it.
    const serving = node.roles.has('api');
    if (serving) await app.listen({ port: config.port, host: config.host });
    const address = serving ? app.server.address() : null;
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const url = serving ? `http://${hostForUrl(config.host)}:${port}` : '';

    if (serving) print(`Vigil is listening on ${url} (port ${port})`);
    else print(`Vigil node without the api role: not serving HTTP`);
    print(`Data directory: ${config.dataDir}`);
    if (ingest && rtmp) print(`RTMP ingest: rtmp://${hostForUrl(rtmp.host)}:${ingest.port}/${rtmp.app}/{stream}?key=…`);
    if (config.cluster.database === undefined) {
      print(`Recording ${streams.length} stream(s): ${streams.map((s) => s.name).join(', ') || 'none'}`);
    } else {
      const roles = [...node.roles].join(', ');
      print(`Cluster node ${node.id} (${roles}); ${streams.length} stream(s) defined, recorded by lease`);
    }
    if (adminToken !== undefined) {
      print(`Admin token (generated for this run; set admin.token or VIGIL_ADMIN_TOKEN to keep one): ${adminToken}`);
      print(`Web UI sign-in: user "admin", the admin token as password`);
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      ...(adminToken === undefined ? {} : { adminToken }),
      app,
      exports,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
