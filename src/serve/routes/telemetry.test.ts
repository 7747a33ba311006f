/**
 * Usage metrics and event sinks end to end: a real clip imported into a real
 * archive, the app listening on a real port, real clients downloading, and a
 * real HTTP collector receiving the sink's `web_request` events. The byte
 * counters are checked against what the clients got.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheus, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { Archive, LocalSegmentReader } from '../../archive/index.js';
import { toStreamDefinition } from '../../config/stream-schema.js';
import { parseEventSinks } from '../../config/sinks-schema.js';
import { ExportJobs, streamsOfArchive } from '../../export/jobs/export-jobs.js';
import { transcodeExportJob } from '../../export/jobs/transcode-job.js';
import { createMediaEngine, type MediaEngine } from '../../media/index.js';
import { importFiles } from '../../record/import.js';
import type { RecorderEvents } from '../../record/recorder.js';
import { Telemetry } from '../../telemetry/index.js';
import type {
  ExportJobStateChangedEvent,
  LockChangedEvent,
  VigilEvent,
  WebRequestEvent,
} from '../../telemetry/events.js';
import { startCollector, type Collector } from '../../telemetry/testing/collector.js';
import { defaultConfigForTests } from '../../../test/helpers/export-config.js';
import { makeTestClip } from '../../../test/helpers/media-check.js';
import { buildApp, type VigilApp } from '../app.js';
import { BEARER, FakeRecording, TEST_AUTH } from '../testing/app-harness.js';

const START_US = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const FROM = START_US / 1e6 + 1;
const DISK_LIMIT = 500_000_000;

interface Env {
  dir: string;
  archive: Archive;
  engine: MediaEngine;
  jobs: ExportJobs;
  telemetry: Telemetry;
  collector: Collector;
  app: VigilApp;
  base: string;
}
let env: Env;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-telemetry-'));
  const archive = await Archive.open({ databasePath: join(dir, 'index.db'), defaultRoot: join(dir, 'archive') });
  const engine = createMediaEngine();
  const reader = new LocalSegmentReader();
  const clip = join(dir, 'clip.mp4');
  // Big enough (several MB) that a client leaving after its first chunk leaves most of it unsent.
  await makeTestClip(clip, { seconds: 10, size: '1280x720' });
  await archive.saveStream(
    toStreamDefinition('cam', { url: 'rtsp://camera.invalid/main', dvr: { disk_limit: DISK_LIMIT } }),
  );
  await importFiles({ archive, engine, stream: 'cam', startUs: START_US, files: [clip], segmentDurationUs: 4_000_000 });

  const collector = await startCollector();
  const telemetry = new Telemetry({
    sinks: parseEventSinks(
      [
        { name: 'collector', url: collector.url, only: { event: ['web_request', 'export_job'] }, flush_interval: 0.02 },
        { name: 'locks', file: 'events/locks.jsonl', only: { event: ['lock_changed'], stream: ['cam'] } },
      ],
      dir,
      'test.yaml',
    ),
    archive,
    dvr: { archive, defaults: {} },
  });
  telemetry.start();
  const jobs = new ExportJobs({
    db: archive.db,
    source: { archive, reader },
    config: defaultConfigForTests([join(dir, 'exports')]),
    timeZone: 'UTC',
    findStream: streamsOfArchive(archive),
    transcode: transcodeExportJob,
  });
  await jobs.start();
  telemetry.attachExports(jobs);
  const app = buildApp({
    archive: telemetry.withLockEvents(archive),
    recording: new FakeRecording(),
    auth: TEST_AUTH,
    exports: jobs,
    telemetry,
    media: { archive, reader, engine, timeZone: 'UTC', onServed: (u) => telemetry.recordServed(u) },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  env = { dir, archive, engine, jobs, telemetry, collector, app, base: `http://127.0.0.1:${port}` };
});

after(async () => {
  await env.app.close();
  await env.jobs.stop();
  await env.telemetry.stop();
  await env.collector.close();
  await env.archive.close();
  await env.engine.close();
  await rm(env.dir, { recursive: true, force: true });
});

interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** GET with node's own client; `abortAfterFirstChunk` leaves as soon as any body byte arrives. */
function get(path: string, headers: Record<string, string> = {}, abortAfterFirstChunk = false): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${env.base}${path}`, { headers: { ...BEARER, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (abortAfterFirstChunk) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', () => undefined);
    });
    req.on('error', (err) => (abortAfterFirstChunk ? undefined : reject(err)));
    req.end();
  });
}

function webRequest(kind: WebRequestEvent['request'], status: number): (e: VigilEvent) => e is WebRequestEvent {
  return (e): e is WebRequestEvent => e.event === 'web_request' && e.request === kind && e.status === status;
}

function originsSum(e: WebRequestEvent): number {
  return e.bytes_from_ram + e.bytes_from_dvr_cache + e.bytes_from_dvr_disk + e.bytes_from_dvr_remote;
}

test('a whole archive download: the event’s byte counters add up to the bytes the client received', async () => {
  const res = await get(`/cam/archive-${FROM}-8.mp4`);
  assert.equal(res.status, 200);
  assert.equal(res.body.length, Number(res.headers['content-length']));
  const e = await env.collector.next(webRequest('archive_download', 200));
  assert.equal(e.stream, 'cam');
  assert.equal(e.client_ip, '127.0.0.1');
  assert.equal(e.dvr_utc_ms, FROM * 1000);
  assert.equal(e.bytes_sent, res.body.length);
  assert.equal(originsSum(e), res.body.length);
  assert.ok(e.bytes_from_ram > 0, 'the generated moov counts as RAM');
  assert.ok(e.bytes_from_dvr_disk > 0, 'the payload counts as disk');
  assert.equal(e.bytes_from_dvr_cache, 0);
  assert.ok(e.duration_ms >= 0);
});

test('a Range request: the counters add up to the part sent', async () => {
  const res = await get(`/cam/archive-${FROM}-8.mp4`, { range: 'bytes=1000-50999' });
  assert.equal(res.status, 206);
  assert.equal(res.body.length, 50_000);
  const e = await env.collector.next(webRequest('archive_download', 206));
  assert.equal(e.bytes_sent, 50_000);
  assert.equal(originsSum(e), 50_000);
});

test('an aborted download: the counters add up to what the connection took, which covers what the client got and not the whole file', async () => {
  const res = await get(`/cam/archive-${FROM}-8.mp4`, {}, true);
  const total = Number(res.headers['content-length']);
  const e = await env.collector.next(webRequest('archive_download', 200));
  assert.equal(originsSum(e), e.bytes_sent);
  assert.ok(e.bytes_sent >= res.body.length, `sent ${e.bytes_sent} >= received ${res.body.length}`);
  assert.ok(e.bytes_sent < total, `sent ${e.bytes_sent} < file ${total}`);
});

test('HLS: the playlist counts as RAM, a segment as header from RAM and payload from disk', async () => {
  const playlist = await get(`/cam/index-${FROM}-8.m3u8`);
  assert.equal(playlist.status, 200);
  const p = await env.collector.next(webRequest('hls_playlist', 200));
  assert.equal(p.bytes_from_ram, playlist.body.length);
  assert.equal(p.bytes_sent, playlist.body.length);
  const uri = /^(s\/\d+\.m4s)/m.exec(playlist.body.toString('utf8'))?.[1];
  assert.ok(uri, 'the playlist lists segment files');
  const segment = await get(`/cam/${uri}`);
  assert.equal(segment.status, 200);
  const s = await env.collector.next(webRequest('hls_segment', 200));
  assert.equal(originsSum(s), segment.body.length);
  assert.ok(s.bytes_from_dvr_disk > 0);
});

test('thumbnails: a decoded JPEG from RAM, a one-frame MP4 from the archive, a redirect with no bytes', async () => {
  const jpeg = await get(`/cam/${FROM + 2}-preview.jpg`);
  assert.equal(jpeg.status, 200);
  const j = await env.collector.next(webRequest('thumbnail', 200));
  assert.equal(j.bytes_from_ram, jpeg.body.length);
  assert.equal(j.bytes_sent, jpeg.body.length);

  const mp4 = await get(`/cam/${FROM + 2}-preview.mp4`);
  assert.equal(mp4.status, 200);
  const m = await env.collector.next(webRequest('thumbnail', 200));
  assert.equal(originsSum(m), mp4.body.length);
  assert.ok(m.bytes_from_dvr_disk > 0);

  const redirect = await get(`/cam/${FROM + 0.5}.jpg`);
  assert.equal(redirect.status, 302);
  const r = await env.collector.next(webRequest('thumbnail', 302));
  assert.equal(r.bytes_sent, 0);
});

test('a range with no recording: a 404 web_request with no bytes', async () => {
  const res = await get(`/cam/archive-${FROM + 86_400}-8.mp4`);
  assert.equal(res.status, 404);
  const e = await env.collector.next(webRequest('archive_download', 404));
  assert.equal(e.bytes_sent, 0);
});

test('an export job: its state changes reach the sink, and downloading its file is an export_file request', async () => {
  const job = await env.jobs.submit({ stream: 'cam', start: FROM, duration: 4 }, { isAdmin: true });
  const done = await env.collector.next(
    (e): e is ExportJobStateChangedEvent => e.event === 'export_job' && e.job_id === job.id && e.state === 'success',
  );
  assert.ok((done.bytes ?? 0) > 0);
  const file = await get(`/api/v1/exports/${job.id}/file`);
  assert.equal(file.status, 200);
  const e = await env.collector.next(webRequest('export_file', 200));
  assert.equal(e.bytes_from_dvr_disk, file.body.length);
  assert.equal(e.dvr_utc_ms, FROM * 1000);
});

test('lock changes go to the file sink; the dvr route reports depth, size, locked size and quota use', async () => {
  const lock = await fetch(`${env.base}/streamer/api/v3/streams/cam/dvr/locks`, {
    method: 'POST',
    headers: { ...BEARER, 'content-type': 'application/json' },
    body: JSON.stringify({ from: FROM, duration: 1 }),
  });
  assert.equal(lock.status, 200);

  const res = await fetch(`${env.base}/streamer/api/v3/streams/cam/dvr`, { headers: BEARER });
  assert.equal(res.status, 200);
  const usage = (await res.json()) as Record<string, number>;
  const segments = await env.archive.segmentsInRange('cam', 'main', 0, Number.MAX_SAFE_INTEGER);
  const size = segments.reduce((a, s) => a + s.sizeBytes, 0);
  assert.equal(usage.from, segments[0]!.startUs / 1e6);
  assert.equal(usage.to, segments.at(-1)!.endUs / 1e6);
  assert.equal(usage.size_bytes, size);
  // The lock [FROM, FROM + 1) lies in the first 4-second segment only.
  assert.equal(usage.locked_bytes, segments[0]!.sizeBytes);
  assert.equal(usage.locks, 1);
  assert.equal(usage.disk_limit, DISK_LIMIT);
  assert.equal(usage.quota_used, size / DISK_LIMIT);

  const missing = await fetch(`${env.base}/streamer/api/v3/streams/nope/dvr`, { headers: BEARER });
  assert.equal(missing.status, 404);

  await env.telemetry.sinks.find((s) => s.name === 'locks')!.stop(5000);
  const lines = (await readFile(join(env.dir, 'events/locks.jsonl'), 'utf8')).trim().split('\n');
  const events = lines.map((l) => JSON.parse(l) as LockChangedEvent);
  assert.deepEqual(
    events.map(({ event, stream, action, from, duration }) => ({ event, stream, action, from, duration })),
    [{ event: 'lock_changed', stream: 'cam', action: 'added', from: FROM, duration: 1 }],
  );
});

function family(families: PrometheusFamily[], name: string): PrometheusFamily {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `/metrics has ${name}`);
  return found;
}

function valueOf(f: PrometheusFamily, labels: Record<string, string>): number | undefined {
  const sample = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

test('/metrics parses as Prometheus text: bytes by origin match the events, HTTP counts by route, archive, exports, recorders, sinks', async () => {
  // A recorder's events, as a real Recorder emits them.
  const recorder = Object.assign(new EventEmitter<RecorderEvents>(), { options: { stream: 'cam', variant: 'main' } });
  env.telemetry.observeRecorder(recorder);
  const seen: VigilEvent[] = [];
  const off = env.telemetry.bus.on((e) => seen.push(e));
  const state = { variant: 'main' as const, sinceUs: 0, nextAttemptAtUs: undefined, lastPacketAtUs: undefined };
  const counters = { segmentsWritten: 0, bytesWritten: 0, codecs: undefined, lastError: undefined };
  recorder.emit('stateChanged', { ...state, ...counters, status: 'recording' });
  const [segment] = await env.archive.segmentsInRange('cam', 'main', 0, Number.MAX_SAFE_INTEGER);
  recorder.emit('fragmentWritten', { segment: segment!, sequenceNumber: 1, startUs: 0, endUs: 1, sizeBytes: 1234 });
  recorder.emit('segmentClosed', segment!);
  const lastError = { code: 'SOURCE_FAILED', message: 'connection reset', atUs: 1 };
  recorder.emit('stateChanged', { ...state, ...counters, lastError, status: 'retrying', nextAttemptAtUs: 2_000_000 });

  off();
  assert.deepEqual(
    seen.map((e) => (e.event === 'stream_state' ? [e.state, e.error?.code ?? null] : [e.event, null])),
    [
      ['recording', null],
      ['segment_written', null],
      ['source_lost', 'SOURCE_FAILED'],
      ['retrying', 'SOURCE_FAILED'],
    ],
  );

  const res = await get('/metrics');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  const families = parsePrometheus(res.body.toString('utf8'));

  const served = family(families, 'vigil_served_bytes_total');
  assert.equal(served.type, 'COUNTER');
  const downloads = env.collector.events.filter(
    (e): e is WebRequestEvent => e.event === 'web_request' && e.request === 'archive_download',
  );
  const sum = (pick: (e: WebRequestEvent) => number) => downloads.reduce((a, e) => a + pick(e), 0);
  const labels = { stream: 'cam', request: 'archive_download' };
  assert.equal(
    valueOf(served, { ...labels, origin: 'ram' }),
    sum((e) => e.bytes_from_ram),
  );
  assert.equal(
    valueOf(served, { ...labels, origin: 'disk' }),
    sum((e) => e.bytes_from_dvr_disk),
  );

  const http = family(families, 'vigil_http_requests_total');
  assert.equal(valueOf(http, { method: 'GET', route: '/:name/:file', status_class: '3xx' }), 1);
  assert.equal(valueOf(http, { method: 'GET', route: '/:name/:file', status_class: '4xx' }), 1);
  assert.ok((valueOf(http, { method: 'GET', route: '/:name/:file', status_class: '2xx' }) ?? 0) >= 5);
  assert.equal(valueOf(http, { method: 'GET', route: '/streamer/api/v3/streams/:name/dvr', status_class: '4xx' }), 1);
  // This parser folds a histogram's labelled series into one sample of buckets (its labels are checked through the counter).
  const latency = family(families, 'vigil_http_request_duration_seconds');
  assert.equal(latency.type, 'HISTOGRAM');
  assert.ok(Number(latency.metrics[0]?.buckets?.['+Inf']) > 0);

  const depth = await env.archive.depth('cam');
  assert.equal(valueOf(family(families, 'vigil_archive_size_bytes'), { stream: 'cam' }), depth.sizeBytes);
  assert.equal(valueOf(family(families, 'vigil_archive_oldest_timestamp_seconds'), { stream: 'cam' }), START_US / 1e6);
  assert.equal(valueOf(family(families, 'vigil_export_queue_length'), {}), 0);
  const jobs = family(families, 'vigil_export_job_duration_seconds');
  assert.equal(jobs.type, 'HISTOGRAM');
  assert.equal(Number(jobs.metrics[0]?.buckets?.['+Inf']), 1);

  const stateOf = (s: string) =>
    valueOf(family(families, 'vigil_stream_recording_state'), { stream: 'cam', variant: 'main', state: s });
  assert.equal(stateOf('retrying'), 1);
  assert.equal(stateOf('recording'), 0);
  assert.equal(valueOf(family(families, 'vigil_source_reconnects_total'), { stream: 'cam' }), 1);
  assert.equal(valueOf(family(families, 'vigil_recorded_bytes_total'), { stream: 'cam' }), 1234);
  assert.equal(valueOf(family(families, 'vigil_segments_written_total'), { stream: 'cam' }), 1);
  assert.equal(valueOf(family(families, 'vigil_event_sink_dropped_total'), { sink: 'collector' }), 0);
  assert.ok((valueOf(family(families, 'vigil_event_sink_delivered_total'), { sink: 'collector' }) ?? 0) > 0);
});
