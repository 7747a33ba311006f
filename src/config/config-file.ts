/**
 * The global configuration: a YAML file, then environment variables, then
 * command-line flags, each on top of the last. Every key is checked against a
 * schema at start; a wrong key or value stops Vigil with the file, the key
 * path and what is allowed. Secrets (admin token and password, source URLs)
 * never appear in messages.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { VigilError } from '../errors.js';
import { isTimeZone } from '../time.js';
import { accessConfigProperties, parseAccessConfig, type AccessConfig } from './access-schema.js';
import { ClusterConfigSchema, parseClusterConfig, type ClusterConfig } from './cluster-schema.js';
import { parseDiskLimit, filesystemSizeBytes } from './disk-limit.js';
import { RtmpIngestConfigSchema, parseRtmpIngestConfig, type RtmpIngestConfig } from './ingest-schema.js';
import { checkSchema, invalidConfig } from './schema-errors.js';
import { EventSinksSchema, parseEventSinks, type EventSinkConfig } from './sinks-schema.js';
import { STREAM_NAME_HINT, toStreamDefinition } from './stream-schema.js';
import { STREAM_NAME_PATTERN, type StreamDefinition } from './stream-types.js';

const Seconds = (description: string, minimum = 0) => Type.Number({ minimum, description });

export const ConfigFileSchema = Type.Object(
  {
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    host: Type.Optional(Type.String({ minLength: 1 })),
    data_dir: Type.Optional(Type.String({ minLength: 1 })),
    timezone: Type.Optional(
      Type.String({ minLength: 1, description: 'an IANA time zone such as UTC or Europe/Paris' }),
    ),
    admin: Type.Optional(
      Type.Object(
        {
          token: Type.Optional(Type.String({ minLength: 1 })),
          user: Type.Optional(Type.String({ minLength: 1 })),
          password: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    dvr: Type.Optional(
      Type.Object(
        {
          root: Type.Optional(Type.String({ minLength: 1 })),
          segment_duration: Type.Optional(Seconds('seconds (> 0)', 1)),
          gap_tolerance: Type.Optional(Seconds('seconds (>= 0)')),
          retention_interval: Type.Optional(Seconds('seconds (>= 1)', 1)),
          expiration: Type.Optional(Seconds('seconds (>= 0)')),
          disk_limit: Type.Optional(
            Type.Union([Type.Number({ minimum: 0 }), Type.String({ minLength: 1 })], {
              description: 'bytes as a number (>= 0), or a string like "500G", "1.5T" or "80%"',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    record: Type.Optional(
      Type.Object(
        {
          stall_timeout: Type.Optional(Seconds('seconds (> 0)', 0.001)),
          backoff_min: Type.Optional(Seconds('seconds (>= 0)')),
          backoff_max: Type.Optional(Seconds('seconds (>= 0)')),
        },
        { additionalProperties: false },
      ),
    ),
    exports: Type.Optional(
      Type.Object(
        {
          roots: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
          file_name_template: Type.Optional(Type.String({ minLength: 1 })),
          queue_max_len: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          copy_concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
          transcode_concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
          cancel_task_with_states: Type.Optional(
            Type.Array(Type.Union([Type.Literal('success'), Type.Literal('error'), Type.Literal('canceled')])),
          ),
          remove_finished_after: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 7 * 86_400, description: 'seconds (0: at once)' }),
          ),
          resume_interrupted: Type.Optional(Type.Boolean()),
          webhook_url: Type.Optional(Type.String({ pattern: '^https?://', description: 'an http(s) URL' })),
          webhook_secret: Type.Optional(Type.String({ minLength: 16, description: 'at least 16 characters' })),
        },
        { additionalProperties: false },
      ),
    ),
    event_sinks: Type.Optional(EventSinksSchema),
    demo: Type.Optional(Type.Boolean()),
    ...accessConfigProperties,
    rtmp: Type.Optional(RtmpIngestConfigSchema),
    cluster: Type.Optional(ClusterConfigSchema),
    // Each stream is checked by the stream wire schema, so the API and the file agree.
    streams: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;

export interface AdminCredentials {
  token?: string;
  user?: string;
  password?: string;
}

export interface VigilConfig {
  /** The file the config came from, if any. */
  file: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  timezone: string;
  admin: AdminCredentials;
  dvr: {
    root: string;
    segmentDurationSeconds: number;
    gapToleranceSeconds: number;
    retentionIntervalSeconds: number;
    expirationSeconds: number | undefined;
    diskLimitBytes: number | undefined;
  };
  record: { stallTimeoutSeconds: number; backoffMinSeconds: number; backoffMaxSeconds: number };
  exports: ExportsConfig;
  access: AccessConfig;
  eventSinks: EventSinkConfig[];
  demo: boolean;
  streams: StreamDefinition[];
  /** Where Vigil accepts RTMP publishers; undefined: not at all. */
  rtmp?: RtmpIngestConfig;
  /** Shared services for several nodes (today: the index in PostgreSQL). */
  cluster: ClusterConfig;
}

export interface ExportsConfig {
  /** Absolute; the first is where exports go when a request names no path. */
  roots: string[];
  fileNameTemplate: string | undefined;
  queueMaxLen: number;
  concurrency: { copy: number; transcode: number };
  cancelTaskWithStates: Array<'success' | 'error' | 'canceled'>;
  /** How long a finished task stays listed before auto-removal, so a task list can still offer its file. */
  removeFinishedAfterMs: number;
  resumeInterrupted: boolean;
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
}

/** A finished export stays listed (and downloadable from the web UI) this long before auto-removal. */
const DEFAULT_REMOVE_FINISHED_AFTER_S = 600;

/** Command-line flags; each one wins over the file and the environment. */
export interface ConfigOverrides {
  port?: number;
  host?: string;
  dataDir?: string;
  demo?: boolean;
}

export interface LoadConfigOptions {
  /** Path of the YAML file; `VIGIL_CONFIG` is used when absent. */
  file?: string;
  env?: Record<string, string | undefined>;
  overrides?: ConfigOverrides;
  /** For tests: the size of a filesystem, for percentage disk limits. */
  fsSize?: (path: string) => number;
}

function checkTimezone(zone: string, label: string): string {
  if (isTimeZone(zone)) return zone;
  throw invalidConfig(label, 'timezone', `unknown time zone "${zone}"; use an IANA name such as UTC or Europe/Paris`);
}

function parsePort(text: string, label: string, field: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw invalidConfig(label, field, `expected a port number from 0 to 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** Parses and checks YAML text. `label` names the source in errors (the file name). */
export function parseConfigText(text: string, label: string): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new VigilError('INVALID_CONFIG', `${label}: not valid YAML: ${detail}`, { cause: err });
  }
  if (raw === null || raw === undefined) return {};
  return checkSchema(ConfigFileSchema, raw, { label, code: 'INVALID_CONFIG' });
}

/**
 * Loads the configuration: defaults, then the file, then the environment
 * (`VIGIL_PORT`, `VIGIL_DATA`, `VIGIL_ADMIN_TOKEN`, `VIGIL_ADMIN_USER`,
 * `VIGIL_ADMIN_PASSWORD`), then the flags.
 */
export function loadConfig(options: LoadConfigOptions = {}): VigilConfig {
  const env = options.env ?? {};
  const overrides = options.overrides ?? {};
  const file = options.file ?? (env.VIGIL_CONFIG || undefined);
  let parsed: ConfigFile = {};
  let label = 'config';
  if (file !== undefined) {
    label = basename(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read';
      throw new VigilError('INVALID_CONFIG', `${file}: ${reason}`, { cause: err });
    }
    parsed = parseConfigText(text, label);
  }
  return resolveConfig(parsed, { ...options, env, overrides, label, file });
}

/** Applies defaults, environment and flags to a checked config file. */
export function resolveConfig(parsed: ConfigFile, options: LoadConfigOptions & { label?: string } = {}): VigilConfig {
  const env = options.env ?? {};
  const overrides = options.overrides ?? {};
  const label = options.label ?? 'config';

  const envPort = env.VIGIL_PORT ? parsePort(env.VIGIL_PORT, 'environment', 'VIGIL_PORT') : undefined;
  const port = overrides.port ?? envPort ?? parsed.port ?? 8080;
  const dataDir = resolve(overrides.dataDir ?? (env.VIGIL_DATA || undefined) ?? parsed.data_dir ?? './vigil-data');
  const dvrFile = parsed.dvr ?? {};
  const root = resolve(dvrFile.root ?? join(dataDir, 'archive'));
  const fsSize = options.fsSize ?? filesystemSizeBytes;

  let diskLimitBytes: number | undefined;
  if (dvrFile.disk_limit !== undefined) {
    try {
      diskLimitBytes = parseDiskLimit(dvrFile.disk_limit, 'dvr.disk_limit', root, fsSize);
    } catch (err) {
      throw err instanceof VigilError
        ? invalidConfig(label, 'dvr.disk_limit', err.message.replace(/^[^:]*: /, ''))
        : err;
    }
  }

  const recordFile = parsed.record ?? {};
  const backoffMinSeconds = recordFile.backoff_min ?? 1;
  const backoffMaxSeconds = recordFile.backoff_max ?? 30;
  if (backoffMaxSeconds < backoffMinSeconds) {
    throw invalidConfig(label, 'record.backoff_max', `must be >= record.backoff_min (${backoffMinSeconds})`);
  }

  const admin: AdminCredentials = { ...parsed.admin };
  if (env.VIGIL_ADMIN_TOKEN) admin.token = env.VIGIL_ADMIN_TOKEN;
  if (env.VIGIL_ADMIN_USER) admin.user = env.VIGIL_ADMIN_USER;
  if (env.VIGIL_ADMIN_PASSWORD) admin.password = env.VIGIL_ADMIN_PASSWORD;
  if ((admin.user === undefined) !== (admin.password === undefined)) {
    const missing = admin.user === undefined ? 'admin.user' : 'admin.password';
    throw invalidConfig(label, missing, 'required when the other of admin.user and admin.password is set');
  }

  const streams = Object.entries(parsed.streams ?? {}).map(([name, wire]) => {
    if (!STREAM_NAME_PATTERN.test(name)) {
      throw invalidConfig(label, `streams.${name.slice(0, 80)}`, `a stream name must be ${STREAM_NAME_HINT}`);
    }
    return toStreamDefinition(name, wire ?? {}, undefined, {
      prefix: `streams.${name}`,
      label,
      code: 'INVALID_CONFIG',
      defaultRoot: root,
      fsSize,
    });
  });

  return {
    file: options.file,
    port,
    host: overrides.host ?? parsed.host ?? '0.0.0.0',
    dataDir,
    timezone: checkTimezone(parsed.timezone ?? 'UTC', label),
    admin,
    dvr: {
      root,
      segmentDurationSeconds: dvrFile.segment_duration ?? 60,
      gapToleranceSeconds: dvrFile.gap_tolerance ?? 1.5,
      retentionIntervalSeconds: dvrFile.retention_interval ?? 60,
      expirationSeconds: dvrFile.expiration,
      diskLimitBytes,
    },
    record: { stallTimeoutSeconds: recordFile.stall_timeout ?? 10, backoffMinSeconds, backoffMaxSeconds },
    exports: exportsConfig(parsed.exports ?? {}, dataDir),
    access: parseAccessConfig(parsed.users, parsed.access, label),
    eventSinks: parseEventSinks(parsed.event_sinks, dataDir, label),
    demo: overrides.demo ?? parsed.demo ?? true,
    streams,
    rtmp: parseRtmpIngestConfig(parsed.rtmp, overrides.host ?? parsed.host ?? '0.0.0.0', label),
    cluster: parseClusterConfig(parsed.cluster, env.VIGIL_DATABASE_URL, label, env),
  };
}

function exportsConfig(file: NonNullable<ConfigFile['exports']>, dataDir: string): ExportsConfig {
  return {
    roots: (file.roots ?? [join(dataDir, 'exports')]).map((root) => resolve(root)),
    fileNameTemplate: file.file_name_template,
    queueMaxLen: file.queue_max_len ?? 1000,
    // Stream copy is disk-bound and light; a transcode takes the cores (defaults suit 2 cores).
    concurrency: { copy: file.copy_concurrency ?? 2, transcode: file.transcode_concurrency ?? 1 },
    cancelTaskWithStates: file.cancel_task_with_states ?? ['success', 'error'],
    removeFinishedAfterMs: (file.remove_finished_after ?? DEFAULT_REMOVE_FINISHED_AFTER_S) * 1000,
    resumeInterrupted: file.resume_interrupted ?? false,
    webhookUrl: file.webhook_url,
    webhookSecret: file.webhook_secret,
  };
}
