/**
 * What the export benchmark times with: child processes (curl, cat, ffmpeg)
 * timed from spawn to exit, warm-up reads of the input files, an RSS
 * sampler for the server process, and a bare file server for the transport's ceiling.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';

export interface Timed {
  wallMs: number;
  stdout: string;
}

/** Runs `cmd` with stdout captured and stderr shown; fails on a non-zero exit. */
export function runTimed(cmd: string, args: string[]): Promise<Timed> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.once('error', fail);
    child.once('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) done({ wallMs, stdout });
      else fail(new Error(`${cmd} ${args.slice(0, 6).join(' ')}… exited with ${code}`));
    });
  });
}

/** `cat files > /dev/null`, timed: the baseline, and (untimed) the warm-up before every timed run. */
export function catToNull(files: readonly string[]): Promise<Timed> {
  return runTimed('sh', ['-c', 'exec cat "$@" > /dev/null', 'cat', ...files]);
}

export interface CurlResult {
  wallMs: number;
  totalS: number;
  firstByteS: number;
  sizeBytes: number;
  status: number;
}

/** GET with curl (an independent client) into `out`; `range` as `start-end` for a partial GET. */
export async function curlGet(url: string, token: string, out = '/dev/null', range?: string): Promise<CurlResult> {
  const args = ['-s', '-o', out, '-H', `Authorization: Bearer ${token}`];
  if (range !== undefined) args.push('-r', range);
  args.push('-w', '%{time_total} %{time_starttransfer} %{size_download} %{http_code}', url);
  const { wallMs, stdout } = await runTimed('curl', args);
  const [totalS, firstByteS, sizeBytes, status] = stdout.trim().split(' ').map(Number);
  return {
    wallMs,
    totalS: totalS ?? NaN,
    firstByteS: firstByteS ?? NaN,
    sizeBytes: sizeBytes ?? NaN,
    status: status ?? 0,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The pid of the `vigil serve` process started with `configPath` (startVigilProcess does not expose it). */
export function findServerPid(configPath: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('serve') && argv.includes(configPath)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no vigil serve process with --config ${configPath}`);
}

export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

export interface RssPeak {
  beforeKb: number;
  peakKb: number;
}

/** Samples VmRSS every 100 ms while `during` runs. */
export async function withRssSampling<T>(pid: number, during: () => Promise<T>): Promise<[T, RssPeak]> {
  const beforeKb = rssKb(pid);
  let peakKb = beforeKb;
  const timer = setInterval(() => (peakKb = Math.max(peakKb, rssKb(pid))), 100);
  try {
    const result = await during();
    peakKb = Math.max(peakKb, rssKb(pid));
    return [result, { beforeKb, peakKb }];
  } finally {
    clearInterval(timer);
  }
}

/** Size of the first top-level `moov` box in `head` (the first bytes of an MP4), or NaN when not there. */
export function moovSizeBytes(head: Uint8Array): number {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let at = 0;
  while (at + 8 <= head.length) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(...head.subarray(at + 4, at + 8));
    if (size === 1 && at + 16 <= head.length) size = Number(view.getBigUint64(at + 8));
    if (type === 'moov') return size;
    if (size < 8) return NaN;
    at += size;
  }
  return NaN;
}

export interface PlainFileServer {
  /** A URL whose body is `files`, whole and in order. */
  urlFor(files: readonly string[]): string;
  close(): Promise<void>;
}

/**
 * The transport's own ceiling: a bare Node HTTP server that sends the same files
 * with the fastest plain loop we know (four 1 MiB buffers, each reused once its
 * socket write completed, as Vigil's sender does), with no planning at all.
 */
export async function startPlainFileServer(): Promise<PlainFileServer> {
  const lists = new Map<string, readonly string[]>();
  const server = createServer((req, res) => {
    const files = lists.get(req.url ?? '');
    if (files === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': files.reduce((sum, f) => sum + statSync(f).size, 0) });
    void sendFiles(files, res).catch(() => res.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    urlFor(files) {
      const path = `/${lists.size}`;
      lists.set(path, files);
      return `http://127.0.0.1:${port}${path}`;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

async function sendFiles(files: readonly string[], res: ServerResponse): Promise<void> {
  const free: Buffer[] = Array.from({ length: 4 }, () => Buffer.allocUnsafeSlow(1024 * 1024));
  const waiting: Array<(b: Buffer) => void> = [];
  const take = () => free.pop() ?? new Promise<Buffer>((resolve) => waiting.push(resolve));
  const giveBack = (b: Buffer) => {
    const next = waiting.shift();
    if (next) next(b);
    else free.push(b);
  };
  for (const f of files) {
    const fh = await open(f, 'r');
    try {
      for (let position = 0; ;) {
        const buf = await take();
        const { bytesRead } = await fh.read(buf, 0, buf.length, position);
        if (bytesRead === 0) {
          giveBack(buf);
          break;
        }
        position += bytesRead;
        res.write(buf.subarray(0, bytesRead), () => giveBack(buf));
      }
    } finally {
      await fh.close();
    }
  }
  res.end();
}
