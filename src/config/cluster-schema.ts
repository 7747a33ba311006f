/**
 * The `cluster:` section of the config file. `database`: a `postgres://` URL
 * puts the index in PostgreSQL, where several Vigil nodes can share it;
 * without it the index is the embedded SQLite file. `storage`: an `s3://`
 * bucket that closed segments are uploaded to (see archive/remote/).
 * `node`, `roles`, `lease_seconds` and `queue` say what this node does among
 * the others (see src/cluster/).
 * Secrets (the URL's password, the secret access key) are never echoed: the
 * parsed config keeps them in non-enumerable properties, so printing or
 * serializing it shows none.
 */
import { hostname } from 'node:os';
import { Type, type Static } from 'typebox';
import { redactDatabaseUrl } from '../archive/index/dialect.js';
import { invalidConfig } from './schema-errors.js';

// No `pattern` here: a schema mismatch message echoes the value, and this value holds a password.
export const ClusterConfigSchema = Type.Object(
  {
    node: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$',
        description: 'a name of 1-63 letters, digits, ".", "_" or "-", unique among the nodes (default: the host name)',
      }),
    ),
    roles: Type.Optional(
      Type.Array(Type.Union([Type.Literal('recorder'), Type.Literal('exporter'), Type.Literal('api')]), {
        minItems: 1,
        uniqueItems: true,
        description: 'what this node does (default: all three)',
      }),
    ),
    lease_seconds: Type.Optional(
      Type.Integer({
        minimum: 3,
        maximum: 600,
        description:
          "whole seconds from 3 to 600 (how long a dead recorder's streams wait before another node takes them)",
      }),
    ),
    queue: Type.Optional(
      Type.Union([Type.Literal('local'), Type.Literal('pg-boss')], {
        description: 'export job queue: in-process, or pg-boss on cluster.database (the default with a database)',
      }),
    ),
    database: Type.Optional(
      Type.String({ minLength: 1, description: 'a postgres://user:password@host:port/database URL' }),
    ),
    storage: Type.Optional(
      Type.Object(
        {
          url: Type.String({ minLength: 1, description: 's3://bucket/prefix' }),
          endpoint: Type.Optional(Type.String({ minLength: 1, description: 'http(s) URL of an S3-compatible server' })),
          region: Type.Optional(Type.String({ minLength: 1 })),
          access_key_id: Type.Optional(Type.String({ minLength: 1 })),
          secret_access_key: Type.Optional(Type.String({ minLength: 1 })),
          force_path_style: Type.Optional(Type.Boolean()),
          local_cache_bytes: Type.Optional(Type.Integer({ minimum: 0 })),
          upload_concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ClusterConfigWire = Static<typeof ClusterConfigSchema>;

export interface ClusterDatabaseConfig {
  /** The full URL, password included; not enumerable, so logs and JSON never carry it. */
  readonly url: string;
  /** The URL with its password hidden, for messages. */
  readonly display: string;
}

export interface ClusterStorageConfig {
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's top. */
  prefix: string;
  /** An S3-compatible server's URL; undefined: AWS S3. */
  endpoint: string | undefined;
  region: string;
  /** Undefined: the AWS SDK's default chain (instance role, profile…). */
  accessKeyId: string | undefined;
  /** Not enumerable, so logs and JSON never carry it. */
  readonly secretAccessKey: string | undefined;
  forcePathStyle: boolean;
  /** Local copies of uploaded segments kept, newest first, up to this many bytes. */
  localCacheBytes: number;
  uploadConcurrency: number;
}

export type NodeRole = 'recorder' | 'exporter' | 'api';
export const ALL_NODE_ROLES: readonly NodeRole[] = ['recorder', 'exporter', 'api'];

export interface ClusterNodeConfig {
  /** Unique among the nodes sharing a database; the host name by default. */
  id: string;
  roles: ReadonlySet<NodeRole>;
  /** A recorder that has not renewed its lease for this long loses its streams to another node. */
  leaseSeconds: number;
  /** 'pg-boss' needs `database`; 'local' is the in-process queue of the embedded server. */
  queue: 'local' | 'pg-boss';
}

export interface ClusterConfig {
  /** Undefined: the index is the embedded SQLite file. */
  database: ClusterDatabaseConfig | undefined;
  /** Undefined: segments stay on local disk only. */
  storage?: ClusterStorageConfig;
  node: ClusterNodeConfig;
}

export const DEFAULT_LEASE_SECONDS = 15;

/** 10 GiB: about 5.5 h of a 4 Mbit/s camera stays local for live HLS and recent exports. */
export const DEFAULT_LOCAL_CACHE_BYTES = 10 * 1024 ** 3;
const DEFAULT_UPLOAD_CONCURRENCY = 4;

const EXPECTED = 'expected a postgres://user:password@host:port/database URL';

function checkDatabaseUrl(url: string, label: string, field: string): ClusterDatabaseConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidConfig(label, field, `${EXPECTED} (the value, hidden, is not a URL)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalidConfig(label, field, `${EXPECTED}, got a ${parsed.protocol} URL`);
  }
  if (parsed.hostname === '') throw invalidConfig(label, field, `${EXPECTED}; ${redactDatabaseUrl(url)} names no host`);
  if (parsed.pathname.length <= 1) {
    throw invalidConfig(label, field, `${EXPECTED}; ${redactDatabaseUrl(url)} names no database`);
  }
  const config = { display: redactDatabaseUrl(url) };
  Object.defineProperty(config, 'url', { value: url, enumerable: false });
  return config as ClusterDatabaseConfig;
}

type StorageWire = NonNullable<ClusterConfigWire['storage']>;

const S3_EXPECTED = 'expected s3://bucket or s3://bucket/prefix';

function parseStorage(wire: StorageWire, env: Record<string, string | undefined>, label: string): ClusterStorageConfig {
  const bad = (field: string, text: string) => invalidConfig(label, `cluster.storage.${field}`, text);
  const match = /^s3:\/\/([^/?#]+)(?:\/([^?#]*))?$/.exec(wire.url);
  if (match === null) throw bad('url', `${S3_EXPECTED}, got ${JSON.stringify(wire.url)}`);
  const bucket = match[1]!;
  // S3's own bucket naming rule (3-63 lowercase letters, digits, dots, hyphens).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw bad('url', `${S3_EXPECTED}; ${JSON.stringify(bucket)} is not a valid bucket name`);
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '..' || part === '.')) {
    throw bad('url', `${S3_EXPECTED}; the prefix may not hold "." or ".." parts, got ${JSON.stringify(prefix)}`);
  }
  if (wire.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(wire.endpoint)) {
    throw bad('endpoint', `expected an http:// or https:// URL, got ${JSON.stringify(wire.endpoint)}`);
  }
  const accessKeyId = wire.access_key_id ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = wire.secret_access_key ?? env.AWS_SECRET_ACCESS_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw bad(
      accessKeyId === undefined ? 'access_key_id' : 'secret_access_key',
      'access_key_id and secret_access_key go together (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); only one is set',
    );
  }
  const config = {
    bucket,
    prefix,
    endpoint: wire.endpoint,
    region: wire.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    accessKeyId,
    forcePathStyle: wire.force_path_style ?? wire.endpoint !== undefined,
    localCacheBytes: wire.local_cache_bytes ?? DEFAULT_LOCAL_CACHE_BYTES,
    uploadConcurrency: wire.upload_concurrency ?? DEFAULT_UPLOAD_CONCURRENCY,
  };
  Object.defineProperty(config, 'secretAccessKey', { value: secretAccessKey, enumerable: false });
  return config as ClusterStorageConfig;
}

/**
 * Checks the section (already schema-checked) and applies `VIGIL_DATABASE_URL`,
 * which wins over the file (a password kept out of the file). Storage
 * credentials fall back to `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
 * `AWS_REGION` from `env`.
 */
export function parseClusterConfig(
  wire: ClusterConfigWire | undefined,
  envDatabaseUrl: string | undefined,
  label: string,
  env: Record<string, string | undefined> = process.env,
): ClusterConfig {
  const storage = wire?.storage === undefined ? {} : { storage: parseStorage(wire.storage, env, label) };
  const url = wire?.database;
  const database = envDatabaseUrl
    ? checkDatabaseUrl(envDatabaseUrl, 'environment', 'VIGIL_DATABASE_URL')
    : url === undefined
      ? undefined
      : checkDatabaseUrl(url, label, 'cluster.database');
  return { database, ...storage, node: parseNode(wire, database !== undefined, label, env) };
}

function parseRoles(text: string): NodeRole[] {
  const roles = text.split(',').map((r) => r.trim());
  const wrong = roles.find((r) => !(ALL_NODE_ROLES as readonly string[]).includes(r));
  if (wrong !== undefined || roles.length === 0) {
    throw invalidConfig(
      'environment',
      'VIGIL_ROLES',
      `expected a comma-separated list of ${ALL_NODE_ROLES.join(', ')}, got ${JSON.stringify(text)}`,
    );
  }
  return roles as NodeRole[];
}

/** `VIGIL_NODE` and `VIGIL_ROLES` win over the file, so one file can serve every node. */
function parseNode(
  wire: ClusterConfigWire | undefined,
  hasDatabase: boolean,
  label: string,
  env: Record<string, string | undefined>,
): ClusterNodeConfig {
  const envNode = env.VIGIL_NODE || undefined;
  if (envNode !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(envNode)) {
    throw invalidConfig(
      'environment',
      'VIGIL_NODE',
      `expected 1-63 letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${JSON.stringify(envNode)}`,
    );
  }
  const roles = env.VIGIL_ROLES ? parseRoles(env.VIGIL_ROLES) : (wire?.roles ?? ALL_NODE_ROLES);
  const rolesField = env.VIGIL_ROLES ? 'VIGIL_ROLES' : 'cluster.roles';
  if (!hasDatabase && roles.length < ALL_NODE_ROLES.length) {
    throw invalidConfig(
      env.VIGIL_ROLES ? 'environment' : label,
      rolesField,
      'a node without cluster.database must do everything (recorder, exporter, api): set cluster.database to share the work between nodes',
    );
  }
  const queue = wire?.queue ?? (hasDatabase ? 'pg-boss' : 'local');
  if (queue === 'pg-boss' && !hasDatabase) {
    throw invalidConfig(
      label,
      'cluster.queue',
      'pg-boss keeps its jobs in PostgreSQL: set cluster.database, or use queue: local',
    );
  }
  const id =
    envNode ??
    wire?.node ??
    (hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 63) ||
      'vigil');
  return { id, roles: new Set(roles), leaseSeconds: wire?.lease_seconds ?? DEFAULT_LEASE_SECONDS, queue };
}
