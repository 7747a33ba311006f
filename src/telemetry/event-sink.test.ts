import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventSinks, type EventSinkFile } from '../config/sinks-schema.js';
import { findFreePort } from '../../test/helpers/free-port.js';
import { DropOldestQueue } from './bounded-queue.js';
import { EventSink, type SinkTransport } from './event-sink.js';
import type { LockChangedEvent, VigilEvent } from './events.js';
import { transportFor } from './sink-transports.js';
import { Telemetry } from './telemetry.js';
import { startCollector } from './testing/collector.js';

function lockEvent(stream: string, from: number): LockChangedEvent {
  return { event: 'lock_changed', utc_ms: 1, stream, action: 'added', from, duration: 10 };
}

function sinkOf(file: EventSinkFile, dataDir = tmpdir()) {
  return parseEventSinks([{ flush_interval: 0.01, ...file }], dataDir, 'test.yaml')[0]!;
}

/** Wraps a transport to tell the test when a delivery failed (instead of sleeping). */
function watchFailures(transport: SinkTransport): { transport: SinkTransport; failed: Promise<void> } {
  let failed!: () => void;
  const promise = new Promise<void>((resolve) => (failed = resolve));
  return {
    failed: promise,
    transport: {
      deliver: (batch, signal) =>
        transport.deliver(batch, signal).catch((err: unknown) => {
          // After the sink's own handling of this failure (it sees the rejection first).
          setImmediate(failed);
          throw err;
        }),
      close: () => transport.close(),
    },
  };
}

test('a full queue drops its oldest items and counts them; a delivered batch never takes newer items', () => {
  const q = new DropOldestQueue<number>(3);
  for (let i = 1; i <= 5; i++) q.push(i);
  assert.equal(q.dropped, 2);
  const batch = q.peek(2);
  assert.deepEqual(batch.items, [3, 4]);
  // Two more arrive while the batch is out: 3 and 4 are dropped to make room.
  q.push(6);
  q.push(7);
  q.removeBefore(batch.end);
  assert.deepEqual(q.peek(10).items, [5, 6, 7]);
  assert.equal(q.dropped, 4);
});

test('batches reach a real HTTP collector in order, and a refused batch is sent again until taken', async () => {
  const collector = await startCollector([503, 500]);
  const sink = new EventSink(
    sinkOf({ url: collector.url, batch_size: 4 }),
    transportFor({ kind: 'url', url: collector.url }),
  );
  sink.start();
  try {
    for (let i = 0; i < 10; i++) sink.offer(lockEvent('cam', i));
    const last = await collector.next((e) => e.event === 'lock_changed' && e.from === 9);
    assert.equal(last.stream, 'cam');
    assert.deepEqual(
      collector.events.map((e) => (e as LockChangedEvent).from),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.equal(collector.refused, 2);
    assert.equal(await sink.stop(1000), 0);
    assert.deepEqual(sink.stats, { queued: 0, dropped: 0, delivered: 10, failedDeliveries: 2 });
  } finally {
    await sink.stop(1000);
    await collector.close();
  }
});

test('only: a sink takes the events and streams it names, nothing else', () => {
  const sink = new EventSink(
    sinkOf({ url: 'http://127.0.0.1:9/', only: { event: ['lock_changed'], stream: ['cam1'] } }),
    { deliver: async () => undefined, close: async () => undefined },
  );
  const segment: VigilEvent = {
    event: 'segment_written',
    utc_ms: 1,
    stream: 'cam1',
    variant: 'main',
    segment_id: 1,
    start_utc_ms: 0,
    end_utc_ms: 1,
    bytes: 1,
  };
  assert.equal(sink.accepts(lockEvent('cam1', 0)), true);
  assert.equal(sink.accepts(lockEvent('cam2', 0)), false);
  assert.equal(sink.accepts(segment), false);
});

test('a file sink appends one JSON object per line, and its path must stay inside data_dir', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-file-sink-'));
  try {
    const config = sinkOf({ file: 'events/vigil.jsonl', only: { stream: ['cam'] } }, dir);
    assert.deepEqual(config.target, { kind: 'file', path: join(dir, 'events/vigil.jsonl') });
    const telemetry = new Telemetry({ sinks: [config] });
    telemetry.start();
    telemetry.emit(lockEvent('cam', 1));
    telemetry.emit(lockEvent('other', 2));
    telemetry.emit(lockEvent('cam', 3));
    await telemetry.stop(5000);
    const lines = (await readFile(config.target.kind === 'file' ? config.target.path : '', 'utf8')).split('\n');
    assert.deepEqual(
      lines.slice(0, -1).map((l) => (JSON.parse(l) as LockChangedEvent).from),
      [1, 3],
    );
    assert.equal(lines.at(-1), '');

    assert.throws(
      () => sinkOf({ file: '../outside.jsonl' }, dir),
      /event_sinks\.0\.file: expected a file path inside data_dir/,
    );
    assert.throws(() => sinkOf({ file: '/etc/vigil.jsonl' }, dir), /inside data_dir/);
    assert.throws(() => sinkOf({ file: 'a', url: 'http://x/' } as EventSinkFile, dir), /exactly one of url/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a dead sink (connection refused) holds at most max_queued events, counts the rest as dropped, and offering never waits', async () => {
  const url = `http://127.0.0.1:${await findFreePort()}/events`;
  const { transport, failed } = watchFailures(transportFor({ kind: 'url', url }));
  const telemetry = new Telemetry({
    sinks: [sinkOf({ name: 'dead', url, max_queued: 50, batch_size: 10 })],
    transportFor: () => transport,
  });
  telemetry.start();
  for (let i = 0; i < 1000; i++) telemetry.emit(lockEvent('cam', i));
  await failed;
  const [sink] = telemetry.sinks;
  assert.equal(sink!.stats.queued, 50);
  assert.equal(sink!.stats.dropped, 950);
  assert.ok(sink!.stats.failedDeliveries >= 1);
  const metrics = (await telemetry.metrics.render()).text;
  assert.match(metrics, /^vigil_event_sink_dropped_total\{sink="dead"\} 950$/m);
  assert.match(metrics, /^vigil_event_sink_queued\{sink="dead"\} 50$/m);
  const left = await Promise.all(telemetry.sinks.map((s) => s.stop(50)));
  assert.deepEqual(left, [50]);
});

test('stop gives up on a collector that never answers once its flush timeout is over', async () => {
  const sockets = new Set<Socket>();
  // Accepts the connection and the request, and never answers: a blackhole.
  const server: Server = createServer(() => undefined);
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const sink = new EventSink(sinkOf({ url, timeout: 600 }), transportFor({ kind: 'url', url }));
  sink.start();
  try {
    for (let i = 0; i < 5; i++) sink.offer(lockEvent('cam', i));
    assert.equal(await sink.stop(100), 5);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('event_sinks in the config file: resolved with defaults; unknown keys and event names are refused with their path', async () => {
  const { parseConfigText, resolveConfig } = await import('../config/config-file.js');
  const text = [
    'data_dir: /srv/vigil',
    'event_sinks:',
    '  - url: https://collector.example/vigil',
    '    only: { event: [web_request], stream: [cam1] }',
    '  - file: events.jsonl',
  ].join('\n');
  const config = resolveConfig(parseConfigText(text, 'vigil.yaml'), { label: 'vigil.yaml' });
  assert.deepEqual(
    config.eventSinks.map((s) => [s.name, s.target, s.only, s.batchSize, s.maxQueued]),
    [
      [
        'sink0',
        { kind: 'url', url: 'https://collector.example/vigil' },
        { events: ['web_request'], streams: ['cam1'] },
        100,
        10_000,
      ],
      ['sink1', { kind: 'file', path: '/srv/vigil/events.jsonl' }, {}, 100, 10_000],
    ],
  );
  assert.throws(
    () => parseConfigText('event_sinks: [{ url: "http://x/", only: { event: [nope] } }]', 'vigil.yaml'),
    /event_sinks\.0\.only\.event\.0/,
  );
  assert.throws(() => parseConfigText('event_sinks: [{ url: "http://x/", retries: 3 }]', 'vigil.yaml'), /retries/);
});
