/**
 * Runs Vigil as a real server process (what `npx vigil serve` runs), for tests
 * that need what only a process gives: a port, `kill -9`, a restart on the same
 * data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

export interface VigilProcess {
  baseUrl: string;
  token: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Admin API call with the bearer token; returns status and parsed JSON (or text). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export interface StartVigilOptions {
  dataDir: string;
  port: number;
  /** Extra YAML appended to the generated config. */
  extraConfig?: string;
  timeoutMs?: number;
  /** Extra environment for the process (e.g. `VIGIL_NODE`), over the cleared Vigil variables. */
  env?: Record<string, string>;
}

export const TEST_TOKEN = 'test-admin-token';

export async function startVigilProcess(options: StartVigilOptions): Promise<VigilProcess> {
  const config = join(options.dataDir, 'vigil.yaml');
  writeFileSync(
    config,
    [
      `port: ${options.port}`,
      'host: 127.0.0.1',
      `data_dir: ${options.dataDir}`,
      'demo: false',
      'admin:',
      `  token: ${TEST_TOKEN}`,
      options.extraConfig ?? '',
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'serve', '--config', config],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        VIGIL_ADMIN_TOKEN: '',
        VIGIL_CONFIG: '',
        VIGIL_PORT: '',
        VIGIL_DATA: '',
        ...options.env,
      },
    },
  );
  let printed = '';
  child.stdout.on('data', (c: Buffer) => (printed += c.toString()));
  child.stderr.on('data', (c: Buffer) => (printed += c.toString()));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  await waitUntilListening(child, baseUrl, options.timeoutMs ?? 30_000, () => printed);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    baseUrl,
    token: TEST_TOKEN,
    output: () => printed,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    async api(method, path, body) {
      const res = await fetch(baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${TEST_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
  };
}

async function waitUntilListening(
  child: ChildProcess,
  baseUrl: string,
  timeoutMs: number,
  printed: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vigil exited with ${child.exitCode}:\n${printed()}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`vigil did not listen on ${baseUrl} within ${timeoutMs} ms:\n${printed()}`);
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A recorded range as the admin API gives it (Unix seconds). */
export interface RecordedRange {
  from: number;
  duration: number;
}

export async function recordedRanges(vigil: VigilProcess, stream: string): Promise<RecordedRange[]> {
  const res = await vigil.api('GET', `/streamer/api/v3/streams/${stream}/dvr/ranges`);
  if (res.status !== 200) throw new Error(`ranges of ${stream}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { ranges: RecordedRange[] }).ranges;
}

export function recordedSeconds(ranges: RecordedRange[]): number {
  return ranges.reduce((sum, r) => sum + r.duration, 0);
}

/** The stream's recorder status (`recording`, `retrying`, …), or undefined when it has none. */
export async function recorderStatus(vigil: VigilProcess, stream: string): Promise<string | undefined> {
  const res = await vigil.api('GET', `/streamer/api/v3/streams/${stream}`);
  return (res.body as { state?: { status: string } }).state?.status;
}

/** Waits until `stream` has at least `seconds` recorded; returns its ranges. */
export function waitForRecorded(vigil: VigilProcess, stream: string, seconds: number): Promise<RecordedRange[]> {
  return eventually(`${seconds} s of ${stream} recorded`, async () => {
    const ranges = await recordedRanges(vigil, stream);
    return recordedSeconds(ranges) >= seconds ? ranges : undefined;
  });
}

/** Segment files under a stream's archive directory, oldest first. */
export function segmentFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.mp4'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
