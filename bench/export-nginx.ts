/**
 * An optional baseline for the export benchmark: the same segment files served
 * by nginx with `sendfile on` (a C server that hands the page cache to the
 * socket without copying through user space), fetched with curl in one
 * connection. It shows how much of the gap to `cat` is loopback HTTP itself and
 * how much is Node's lack of `sendfile`. Skipped when nginx is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, relative, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findFreePort } from '../test/helpers/free-port.js';
import { runTimed, type CurlResult } from './export-measure.js';

export const NGINX_BIN = '/usr/sbin/nginx';

export interface NginxServer {
  /** URLs whose bodies are `files`, whole and in order (each file under the common root). */
  urlsFor(files: readonly string[]): string[];
  close(): Promise<void>;
}

/** The deepest directory that holds every file. */
function commonRoot(files: readonly string[]): string {
  let root = dirname(files[0]!);
  while (!files.every((f) => f.startsWith(root + sep)) && root !== dirname(root)) root = dirname(root);
  return root;
}

function nginxConf(tmp: string, root: string, port: number): string {
  const temp = (name: string) => join(tmp, name);
  return [
    'daemon off;',
    // One process, reading as the user who runs the benchmark (a root master hands its workers to `nobody`).
    'master_process off;',
    `pid ${temp('nginx.pid')};`,
    `error_log ${temp('error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  default_type application/octet-stream;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${temp(t)};`),
    `  server { listen 127.0.0.1:${port}; root ${root}; location / { } }`,
    '}',
    '',
  ].join('\n');
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await delay(50);
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** nginx over the directory that holds `files`, or undefined (with a line saying so) when nginx is missing. */
export async function startNginx(files: readonly string[], tmp: string): Promise<NginxServer | undefined> {
  if (!existsSync(NGINX_BIN)) {
    console.log('nginx: not installed (apt-get install nginx-light)');
    return undefined;
  }
  const root = commonRoot(files);
  const dir = join(tmp, 'nginx');
  mkdirSync(dir, { recursive: true });
  const port = await findFreePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(dir, root, port));
  const child = spawn(NGINX_BIN, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf], { stdio: 'inherit' });
  await waitForPort(port, child, 10_000);
  return {
    urlsFor: (list) => list.map((f) => `http://127.0.0.1:${port}/${relative(root, f).split(sep).join('/')}`),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** GET each URL to /dev/null with one curl (one kept-alive connection); the total, timed from spawn to exit. */
export async function curlAll(urls: readonly string[]): Promise<CurlResult> {
  const args = ['-s', ...urls.flatMap(() => ['-o', '/dev/null'])];
  args.push('-w', '%{time_total} %{time_starttransfer} %{size_download} %{http_code}\n', ...urls);
  const { wallMs, stdout } = await runTimed('curl', args);
  const rows = stdout
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number));
  const bad = rows.find((r) => r[3] !== 200);
  return {
    wallMs,
    totalS: rows.reduce((s, r) => s + (r[0] ?? NaN), 0),
    firstByteS: rows[0]?.[1] ?? NaN,
    sizeBytes: rows.reduce((s, r) => s + (r[2] ?? NaN), 0),
    status: rows.length === urls.length && bad === undefined ? 200 : (bad?.[3] ?? 0),
  };
}
