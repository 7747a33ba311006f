/**
 * Does a dead event sink slow downloads? Archive-download throughput over
 * real HTTP with no sink, with a sink whose URL refuses connections, and with
 * one that accepts and never answers (a blackhole), each retrying as hard as
 * the config allows (50 ms backoff cap). Rounds alternate the three so drift
 * on a shared machine hits them alike; the figure is the median throughput
 * of each, and its ratio to no sink (goal: about 1.0).
 *
 *   npm run bench:sinks          # ROUNDS=7 SECONDS=20 CONCURRENCY=4
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive, LocalSegmentReader } from '../src/archive/index.js';
import { parseEventSinks, type EventSinkFile } from '../src/config/sinks-schema.js';
import { createMediaEngine } from '../src/media/index.js';
import { importFiles } from '../src/record/import.js';
import { buildApp } from '../src/serve/app.js';
import { BEARER, FakeRecording, TEST_AUTH } from '../src/serve/testing/app-harness.js';
import { Telemetry } from '../src/telemetry/index.js';
import { findFreePort } from '../test/helpers/free-port.js';
import { makeTestClip } from '../test/helpers/media-check.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SECONDS = Number(process.env.SECONDS ?? 20);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const START_US = Date.UTC(2026, 0, 5) * 1000;

/** Bytes of one download, read and thrown away as fast as the socket gives them. */
function download(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: BEARER }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function blackhole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(() => undefined);
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-sinks-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  const engine = createMediaEngine();
  const reader = new LocalSegmentReader();
  const hole = await blackhole();
  try {
    const clip = join(dir, 'clip.mp4');
    console.log('bench: encoding a 30 s 720p clip and importing it…');
    await makeTestClip(clip, { seconds: 30, size: '1280x720' });
    await importFiles({
      archive,
      engine,
      stream: 'cam',
      startUs: START_US,
      files: [clip],
      segmentDurationUs: 10_000_000,
    });
    const refused = `http://127.0.0.1:${await findFreePort()}/events`;
    const dead = (url: string): EventSinkFile => ({
      url,
      max_queued: 1000,
      flush_interval: 0.01,
      max_backoff: 0.05,
      timeout: 60,
    });
    const cases: Array<[string, EventSinkFile[]]> = [
      ['no sink', []],
      ['refused', [dead(refused)]],
      ['blackhole', [dead(hole.url)]],
    ];
    const results = new Map<string, number[]>(cases.map(([name]) => [name, []]));
    let fileBytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, sinks] of round % 2 === 0 ? cases : [...cases].reverse()) {
        const telemetry = new Telemetry({ sinks: parseEventSinks(sinks, dir, 'bench') });
        telemetry.start();
        const app = buildApp({
          archive,
          recording: new FakeRecording(),
          auth: TEST_AUTH,
          telemetry,
          media: { archive, reader, engine, timeZone: 'UTC', onServed: (u) => telemetry.recordServed(u) },
        });
        await app.listen({ port: 0, host: '127.0.0.1' });
        const { port } = app.server.address() as AddressInfo;
        const url = `http://127.0.0.1:${port}/cam/archive-${START_US / 1e6}-30.mp4`;
        let bytes = 0;
        const started = performance.now();
        const until = started + (SECONDS * 1000) / cases.length / 2;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (performance.now() < until) {
              const n = await download(url);
              fileBytes = n;
              bytes += n;
            }
          }),
        );
        const mbps = bytes / 1e6 / ((performance.now() - started) / 1000);
        results.get(name)!.push(mbps);
        const stats = telemetry.sinks[0]?.stats;
        await app.close();
        await telemetry.stop(100);
        console.log(
          `round ${round + 1} ${name.padEnd(9)} ${mbps.toFixed(0).padStart(6)} MB/s` +
            (stats ? `  (failed deliveries ${stats.failedDeliveries}, queued ${stats.queued})` : ''),
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = median(results.get('no sink')!);
    console.log(
      `\nfile ${(fileBytes / 1e6).toFixed(1)} MB, ${CONCURRENCY} concurrent downloads, ${ROUNDS} rounds (median), load average ${loadavg()[0]!.toFixed(1)}:`,
    );
    for (const [name, values] of results) {
      console.log(
        `  ${name.padEnd(9)} ${median(values).toFixed(0).padStart(6)} MB/s  ratio ${(median(values) / base).toFixed(3)}`,
      );
    }
  } finally {
    await hole.close();
    await reader.close();
    await archive.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
