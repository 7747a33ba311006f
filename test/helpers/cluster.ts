/**
 * A throwaway Vigil cluster of real processes for end-to-end tests: one
 * PostgreSQL (the shared index and queue), one s3rver (the shared segment
 * storage; stoppable and restartable on the same port and directory), RTSP
 * cameras, and N `vigil serve` processes, each with its own data dir and port,
 * the same admin token and its own `cluster.node` / `cluster.roles`. Every
 * wait has a deadline, and `close()` takes everything down, kill -9'd nodes
 * included.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { NodeRole } from '../../src/config/cluster-schema.js';
import { findFreePort } from './free-port.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { startRtspCamera, type RtspCamera } from './rtsp-camera.js';
import { startS3Server, type TestS3Server } from './s3-server.js';
import { eventually, startVigilProcess, TEST_TOKEN, type RecordedRange, type VigilProcess } from './vigil-process.js';

export { eventually, type RecordedRange } from './vigil-process.js';

export interface ClusterNodeSpec {
  name: string;
  roles: readonly NodeRole[];
}

export interface StartClusterOptions {
  nodes: readonly ClusterNodeSpec[];
  /** RTSP cameras to start (default 2); streams are not created: see `createStream`. */
  cameras?: number;
  /** `cluster.lease_seconds` of every node (default 6). */
  leaseSeconds?: number;
  /** `dvr.segment_duration` (default 2 s: many closed segments, quickly). */
  segmentSeconds?: number;
  /** `dvr.retention_interval` (default 2 s). */
  retentionIntervalSeconds?: number;
  /** Extra YAML appended to every node's config. */
  extraConfig?: string;
}

/** One `vigil serve` process of the cluster; it keeps its port and data dir across `restart`. */
export interface ClusterNode {
  readonly name: string;
  readonly roles: readonly NodeRole[];
  readonly port: number;
  readonly dataDir: string;
  readonly baseUrl: string;
  /** False after `kill9`/`stop` until `restart`. */
  readonly running: boolean;
  /** Everything every run of this node printed, oldest first. */
  output(): string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** kill -9: no shutdown step runs, its leases are left to expire. */
  kill9(): Promise<void>;
  /** SIGTERM, waiting for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, data dir and config. */
  restart(): Promise<void>;
}

/** A stream as `GET /streamer/api/v3/streams` shows it; `node` is who records it (cluster mode). */
export interface ClusterStreamView {
  name: string;
  node?: string | null;
  state: { status: string };
  archive: { from?: number; to?: number; depth: number };
}

/** A row of `segments` in the shared index. */
export interface IndexedSegment {
  id: number;
  stream: string;
  variant: string;
  startUs: number;
  endUs: number;
  closed: boolean;
  storage: string;
  /** The recording node's dvr root (its data dir here): who wrote the segment. */
  root: string;
  path: string;
}

/** One JSON log line of a node (pino: `level`, `msg`, and the fields it was given). */
export interface NodeLogEntry {
  node: string;
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface TestCluster {
  readonly postgres: TestPostgres;
  readonly databaseUrl: string;
  readonly s3: TestS3Server;
  readonly cameras: readonly RtspCamera[];
  readonly nodes: readonly ClusterNode[];
  readonly leaseSeconds: number;
  readonly segmentSeconds: number;
  node(name: string): ClusterNode;
  /** Creates (PUT) a stream through `via` (default: the first running node). */
  createStream(name: string, body: Record<string, unknown>, via?: ClusterNode): Promise<void>;
  /** The streams list as `via` (default: the first running node) shows it. */
  streams(via?: ClusterNode): Promise<ClusterStreamView[]>;
  /** Who records `stream` according to `via`'s streams list (undefined: nobody shown). */
  recorderOf(stream: string, via?: ClusterNode): Promise<string | undefined>;
  ranges(stream: string, via?: ClusterNode): Promise<RecordedRange[]>;
  /** The stream's segments straight from PostgreSQL, oldest first. */
  segments(stream: string): Promise<IndexedSegment[]>;
  /** Whether s3rver holds the object of a segment path (its files, not through Vigil). */
  hasObject(segmentPath: string): boolean;
  /** GET with the admin token; the body's bytes and their sha256. */
  download(via: ClusterNode, path: string): Promise<{ status: number; bytes: Buffer; sha256: string }>;
  /** Every node's JSON log lines, in each node's order (`sinceChars`: skip what each printed before). */
  logEntries(sinceChars?: ReadonlyMap<string, number>): NodeLogEntry[];
  /** How much each node has printed so far, to pass to `logEntries` later. */
  logMarks(): Map<string, number>;
  /** The tail of every node's output, for a failed assertion's message. */
  logs(tailChars?: number): string;
  close(): Promise<void>;
}

const S3_PREFIX = 'archive';
const NODE_START_TIMEOUT_MS = 120_000;

function nodeConfig(spec: ClusterNodeSpec, databaseUrl: string, s3: TestS3Server, opts: StartClusterOptions): string {
  return [
    'dvr:',
    `  segment_duration: ${opts.segmentSeconds ?? 2}`,
    `  retention_interval: ${opts.retentionIntervalSeconds ?? 2}`,
    'cluster:',
    `  database: ${JSON.stringify(databaseUrl)}`,
    `  node: ${spec.name}`,
    `  roles: [${spec.roles.join(', ')}]`,
    `  lease_seconds: ${opts.leaseSeconds ?? 6}`,
    '  storage:',
    `    url: s3://${s3.bucket}/${S3_PREFIX}`,
    `    endpoint: ${s3.endpoint}`,
    '    region: us-east-1',
    '    access_key_id: S3RVER',
    '    secret_access_key: S3RVER',
    '    force_path_style: true',
    // No local cache: a closed, uploaded segment is read from S3 by every node, its recorder included.
    '    local_cache_bytes: 0',
    '    upload_concurrency: 2',
    opts.extraConfig ?? '',
  ].join('\n');
}

async function startNode(
  spec: ClusterNodeSpec,
  config: string,
): Promise<ClusterNode & { startFirst(): Promise<void>; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `vigil-cluster-${spec.name}-`));
  const port = await findFreePort();
  let current: VigilProcess | undefined;
  let earlier = '';
  const launch = async () => {
    current = await startVigilProcess({
      dataDir,
      port,
      extraConfig: config,
      timeoutMs: NODE_START_TIMEOUT_MS,
      // The parent's own cluster variables would win over the file.
      env: { VIGIL_NODE: '', VIGIL_ROLES: '', VIGIL_DATABASE_URL: '', VIGIL_LOG_LEVEL: 'info' },
    });
  };
  const down = async (signal: NodeJS.Signals) => {
    const proc = current;
    current = undefined;
    if (proc === undefined) return;
    await proc.kill(signal);
    earlier += proc.output();
  };
  return {
    name: spec.name,
    roles: spec.roles,
    port,
    dataDir,
    baseUrl: `http://127.0.0.1:${port}`,
    get running() {
      return current !== undefined;
    },
    output: () => earlier + (current?.output() ?? ''),
    api(method, path, body) {
      if (current === undefined) throw new Error(`node ${spec.name} is not running`);
      return current.api(method, path, body);
    },
    kill9: () => down('SIGKILL'),
    stop: () => down('SIGTERM'),
    async restart() {
      if (current !== undefined) throw new Error(`node ${spec.name} is already running`);
      await launch();
    },
    startFirst: launch,
    async dispose() {
      await down('SIGTERM').catch(() => down('SIGKILL'));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function toSegment(row: Record<string, unknown>): IndexedSegment {
  return {
    id: Number(row.id),
    stream: String(row.stream),
    variant: String(row.variant),
    startUs: Number(row.start_us),
    endUs: Number(row.end_us),
    closed: Number(row.closed) === 1,
    storage: String(row.storage),
    root: String(row.root),
    path: String(row.path),
  };
}

/** Starts everything; on a failure part way, stops what did start and rethrows. */
export async function startCluster(opts: StartClusterOptions): Promise<TestCluster> {
  const undo: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const [postgres, s3, cameras] = await Promise.all([
      startPostgres().then((p) => (undo.push(() => p.stop()), p)),
      startS3Server().then((s) => (undo.push(() => s.close()), s)),
      Promise.all(
        Array.from({ length: opts.cameras ?? 2 }, () =>
          startRtspCamera({ size: '320x240' }).then((c) => (undo.push(() => c.stop()), c)),
        ),
      ),
    ]);
    const databaseUrl = await postgres.createDatabase();
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    undo.push(() => pool.end());

    const nodes = await Promise.all(opts.nodes.map((spec) => startNode(spec, nodeConfig(spec, databaseUrl, s3, opts))));
    undo.push(() => Promise.all(nodes.map((n) => n.dispose())));
    // The first node migrates the empty database alone; the others then start side by side.
    const [first, ...rest] = nodes;
    if (first === undefined) throw new Error('a cluster needs at least one node');
    await first.startFirst();
    await Promise.all(rest.map((n) => n.startFirst()));

    const find = (name: string): ClusterNode => {
      const found = nodes.find((n) => n.name === name);
      if (found === undefined) throw new Error(`no node ${name}: ${nodes.map((n) => n.name).join(', ')}`);
      return found;
    };
    const anyRunning = (via?: ClusterNode): ClusterNode => {
      const node = via ?? nodes.find((n) => n.running);
      if (node === undefined) throw new Error('no node of the cluster is running');
      return node;
    };
    const streams = async (via?: ClusterNode): Promise<ClusterStreamView[]> => {
      const node = anyRunning(via);
      const res = await node.api('GET', '/streamer/api/v3/streams');
      if (res.status !== 200) throw new Error(`streams list on ${node.name}: HTTP ${res.status}`);
      return (res.body as { streams: ClusterStreamView[] }).streams;
    };

    return {
      postgres,
      databaseUrl,
      s3,
      cameras,
      nodes,
      leaseSeconds: opts.leaseSeconds ?? 6,
      segmentSeconds: opts.segmentSeconds ?? 2,
      node: find,
      async createStream(name, body, via) {
        const node = anyRunning(via);
        const res = await node.api('PUT', `/streamer/api/v3/streams/${name}`, body);
        if (res.status !== 200)
          throw new Error(`PUT ${name} on ${node.name}: ${res.status} ${JSON.stringify(res.body)}`);
      },
      streams,
      async recorderOf(stream, via) {
        const view = (await streams(via)).find((s) => s.name === stream);
        return typeof view?.node === 'string' ? view.node : undefined;
      },
      async ranges(stream, via) {
        const node = anyRunning(via);
        const res = await node.api('GET', `/streamer/api/v3/streams/${stream}/dvr/ranges`);
        if (res.status !== 200) throw new Error(`ranges of ${stream} on ${node.name}: HTTP ${res.status}`);
        return (res.body as { ranges: RecordedRange[] }).ranges;
      },
      async segments(stream) {
        const { rows } = await pool.query(
          'select id, stream, variant, start_us, end_us, closed, storage, root, path from segments where stream = $1 order by start_us, id',
          [stream],
        );
        return rows.map(toSegment);
      },
      hasObject(segmentPath) {
        return existsSync(join(s3.directory, s3.bucket, S3_PREFIX, `${segmentPath}._S3rver_object`));
      },
      async download(via, path) {
        const res = await fetch(via.baseUrl + path, {
          headers: { authorization: `Bearer ${TEST_TOKEN}` },
          signal: AbortSignal.timeout(60_000),
        });
        const bytes = Buffer.from(await res.arrayBuffer());
        return { status: res.status, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
      },
      logEntries(sinceChars) {
        return nodes.flatMap((n) => parseLog(n.name, n.output().slice(sinceChars?.get(n.name) ?? 0)));
      },
      logMarks() {
        return new Map(nodes.map((n) => [n.name, n.output().length]));
      },
      logs(tailChars = 3000) {
        return nodes.map((n) => `--- ${n.name} (tail) ---\n${n.output().slice(-tailChars)}`).join('\n');
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function parseLog(node: string, text: string): NodeLogEntry[] {
  const entries: NodeLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      entries.push({ ...parsed, node, level: Number(parsed.level), msg: String(parsed.msg ?? '') });
    } catch {
      // a line cut by a kill -9, or not JSON
    }
  }
  return entries;
}

/** The holes in `ranges` within [fromS, toS] (Unix seconds), each as { from, to }. */
export function gapsWithin(
  ranges: readonly RecordedRange[],
  fromS: number,
  toS: number,
): Array<{ from: number; to: number }> {
  const gaps: Array<{ from: number; to: number }> = [];
  let covered = fromS;
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    if (r.from + r.duration <= covered) continue;
    if (r.from >= toS) break;
    if (r.from > covered) gaps.push({ from: covered, to: r.from });
    covered = r.from + r.duration;
  }
  if (covered < toS) gaps.push({ from: covered, to: toS });
  return gaps;
}

/** The end (Unix seconds) of the newest recorded range, or 0. */
export function recordedUntil(ranges: readonly RecordedRange[]): number {
  return ranges.reduce((end, r) => Math.max(end, r.from + r.duration), 0);
}

/** Polls until `probe` gives a value; the deadline makes a missing feature fail, never hang. */
export function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  return eventually(what, probe, timeoutMs);
}
