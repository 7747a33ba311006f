/**
 * A throwaway PostgreSQL server for tests: Debian's binaries, a temp data
 * dir under os.tmpdir(), loopback TCP on a free port, its unix socket in the
 * temp dir, fsync off. Password auth over TCP, so the URL the tests use is
 * the kind a cluster config holds. PostgreSQL refuses to run as root: under
 * root the server runs as the `postgres` user (setpriv execs, so the child
 * we hold is the postmaster itself and our signals reach it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from './free-port.js';

const PG_ROOT = '/usr/lib/postgresql';
const USER = 'vigil';
const PASSWORD = 'vigil-test-secret';

/** The newest installed `/usr/lib/postgresql/<major>/bin` that has initdb and postgres. */
export function findPostgresBinDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const majors = readdirSync(PG_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(PG_ROOT, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin;
  }
  return undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
  if (findPostgresBinDir() !== undefined) return undefined;
  return `PostgreSQL server binaries not found under ${PG_ROOT}/<major>/bin (install Debian's postgresql package)`;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Under root, the uid/gid of the `postgres` user (or `nobody`) to run the server as. */
function runAsFor(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new Error('running as root and no postgres or nobody user to run PostgreSQL as');
}

function command(runAs: RunAs | undefined, bin: string, args: string[]): [string, string[]] {
  if (runAs === undefined) return [bin, args];
  return [
    'setpriv',
    ['--reuid', String(runAs.uid), '--regid', String(runAs.gid), '--clear-groups', '--', bin, ...args],
  ];
}

const childEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };

export interface TestPostgres {
  port: number;
  /** A URL with user and password for `database` (default `postgres`). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer): void => {
      log = (log + chunk.toString()).slice(-4000);
      if (log.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`postgres exited (${code}) before it was ready:\n${log}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function initDataDir(bin: string, runAs: RunAs | undefined, dir: string): Promise<string> {
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  await writeFile(pwfile, `${PASSWORD}\n`);
  await mkdir(join(dir, 'sock'));
  if (runAs !== undefined) {
    for (const path of [dir, pwfile, join(dir, 'sock')]) await chown(path, runAs.uid, runAs.gid);
  }
  const [cmd, args] = command(runAs, join(bin, 'initdb'), [
    ...['-D', data, '-U', USER, `--pwfile=${pwfile}`],
    ...[
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ],
  ]);
  const result = spawnSync(cmd, args, { encoding: 'utf8', env: childEnv });
  if (result.status !== 0) throw new Error(`initdb failed (${result.status}):\n${result.stderr}${result.stdout}`);
  return data;
}

function startServer(bin: string, runAs: RunAs | undefined, dir: string, data: string, port: number): ChildProcess {
  const [cmd, args] = command(runAs, join(bin, 'postgres'), [
    ...['-D', data, '-p', String(port), '-k', join(dir, 'sock')],
    ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
    ...['-c', 'full_page_writes=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=60'],
  ]);
  return spawn(cmd, args, { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // SIGQUIT: immediate shutdown, nothing here is worth a checkpoint.
    child.kill('SIGQUIT');
  });
}

/** Starts a fresh server; throws when the binaries are absent (check `postgresSkipReason` first). */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBinDir();
  if (bin === undefined) throw new Error(postgresSkipReason());
  const runAs = runAsFor();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-pg-'));
  let child: ChildProcess | undefined;
  // A test process that dies still takes its server down.
  const killOnExit = (): void => void child?.kill('SIGQUIT');
  process.once('exit', killOnExit);
  try {
    const data = await initDataDir(bin, runAs, dir);
    let port = 0;
    // The free port is only free when asked; another process may take it first.
    for (let attempt = 1; ; attempt += 1) {
      port = await findFreePort();
      child = startServer(bin, runAs, dir, data, port);
      try {
        await waitUntilReady(child);
        break;
      } catch (err) {
        if (attempt >= 3 || !String(err).includes('could not bind')) throw err;
      }
    }
    const server = child;
    let created = 0;
    const url = (database = 'postgres'): string =>
      `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`;
    return {
      port,
      url,
      async createDatabase() {
        created += 1;
        const name = `vigil_test_${created}`;
        const client = new pg.Client({ connectionString: url() });
        await client.connect();
        try {
          await client.query(`create database ${name}`);
        } finally {
          await client.end();
        }
        return url(name);
      },
      async stop() {
        process.off('exit', killOnExit);
        await stopChild(server);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    process.off('exit', killOnExit);
    if (child !== undefined) await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
