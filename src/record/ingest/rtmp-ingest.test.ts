/**
 * The RTMP ingest against real clients: Debian's ffmpeg publishing a clip
 * (`-re`, so it lasts as long as the clip) and reading the publish back with
 * the recorder's loopback URL.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makeTestClip } from '../../../test/helpers/media-check.js';
import { toStreamDefinition } from '../../config/stream-schema.js';
import type { StreamDefinition } from '../../config/stream-types.js';
import { RtmpIngest, type IngestLog } from './rtmp-ingest.js';

const KEY = 'cam-publish-key-1';

interface LogLine {
  level: string;
  fields: object;
  message: string;
}

/** Runs ffmpeg to the end; resolves with its exit code and what it printed. */
function ffmpeg(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('close', (code) => resolve({ code, output }));
  });
}

function publish(clip: string, url: string): Promise<{ code: number | null; output: string }> {
  return ffmpeg(['-re', '-i', clip, '-c', 'copy', '-f', 'flv', url]);
}

describe('RtmpIngest', { timeout: 120_000 }, () => {
  let dir: string;
  let clip: string;
  let ingest: RtmpIngest;
  const logs: LogLine[] = [];
  const streams = new Map<string, StreamDefinition>();
  const log: IngestLog = {
    info: (fields, message) => logs.push({ level: 'info', fields, message }),
    warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
    debug: (fields, message) => logs.push({ level: 'debug', fields, message }),
  };
  const refusals = (stream: string) =>
    logs.filter((l) => l.message === 'RTMP publisher refused' && Reflect.get(l.fields, 'stream') === stream);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
    clip = join(dir, 'clip.flv');
    await makeTestClip(clip, { seconds: 4, size: '160x120', audioRate: 44_100 });
    streams.set('cam', toStreamDefinition('cam', { url: 'publish://', publish_key: KEY }));
    streams.set('off', toStreamDefinition('off', { url: 'publish://', publish_key: KEY, enabled: false }));
    streams.set('pulled', toStreamDefinition('pulled', { url: 'rtsp://camera/1' }));
    ingest = await RtmpIngest.start({
      host: '127.0.0.1',
      port: 0,
      app: 'live',
      findStream: async (name) => streams.get(name),
      log,
    });
  });

  after(async () => {
    await ingest?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = () => `rtmp://127.0.0.1:${ingest.port}/live`;

  it('refuses a wrong key, a missing key, an unknown, pulled or disabled stream, and logs why without the key', async () => {
    const tries: Array<[string, string, RegExp]> = [
      ['cam', `${base()}/cam?key=not-the-key`, /wrong key/],
      ['cam', `${base()}/cam`, /no key/],
      ['nope', `${base()}/nope?key=${KEY}`, /no such stream/],
      ['pulled', `${base()}/pulled?key=${KEY}`, /not a publish:\/\/ stream/],
      ['off', `${base()}/off?key=${KEY}`, /disabled/],
    ];
    for (const [stream, url, reason] of tries) {
      const before = refusals(stream).length;
      const result = await publish(clip, url);
      assert.notEqual(result.code, 0, `${url}: ffmpeg should fail`);
      const last = refusals(stream).at(-1);
      assert.equal(refusals(stream).length, before + 1, `${url}: one refusal logged`);
      assert.match(String(Reflect.get(last?.fields ?? {}, 'reason')), reason);
    }
    assert.equal(ingest.publisher('cam'), undefined);
    const text = JSON.stringify(logs);
    assert.equal(text.includes(KEY), false, 'the key is never logged');
    assert.equal(text.includes('not-the-key'), false, 'a wrong key is never logged');
  });

  it('accepts the key, refuses a second publisher and strangers, and ends the recorder’s read when it leaves', async () => {
    const gate = ingest.gateFor('cam');
    const controller = new AbortController();
    const waiting = gate.waitForSource(controller.signal);
    const publisher = publish(clip, `${base()}/cam?key=${KEY}`);
    const source = await waiting;
    assert.ok(source !== undefined);
    const info = gate.publisher();
    assert.equal(info?.via, 'rtmp');
    assert.match(info?.client ?? '', /127\.0\.0\.1:\d+$/);

    const reading = ffmpeg(['-i', source.url, '-c', 'copy', '-f', 'flv', join(dir, 'read.flv')]);
    const second = await publish(clip, `${base()}/cam?key=${KEY}`);
    assert.notEqual(second.code, 0, 'a second publisher is refused');
    assert.match(String(Reflect.get(refusals('cam').at(-1)?.fields ?? {}, 'reason')), /already has a publisher/);
    const stranger = await ffmpeg(['-i', `${base()}/cam`, '-f', 'null', '-']);
    assert.notEqual(stranger.code, 0, 'a player without the recorder’s token is refused');
    while (!logs.some((l) => /start play \/live\/cam/.test(l.message))) await new Promise((r) => setImmediate(r));
    const replay = await ffmpeg(['-i', source.url, '-f', 'null', '-']);
    assert.notEqual(replay.code, 0, 'the recorder’s token is spent once it played');

    assert.equal((await publisher).code, 0, 'the accepted publisher runs to its end');
    const read = await reading;
    assert.equal(read.code, 0, `the read ends cleanly when the publisher leaves: ${read.output}`);
    assert.equal(source.ended(), true);
    assert.equal(gate.publisher(), undefined);
    const { stdout } = await promisify(execFile)('ffprobe', [
      ...['-v', 'error', '-count_packets', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', join(dir, 'read.flv')],
    ]);
    // A player joins at the publish's latest keyframe (one a second) and then misses nothing.
    const frames = Number(stdout.trim());
    assert.ok(frames > 0 && frames <= 100 && frames % 25 === 0, `whole GOPs up to the clip's end, got ${frames}`);
  });

  it('resolves a waiting gate with undefined when its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = ingest.gateFor('cam').waitForSource(controller.signal);
    controller.abort();
    assert.equal(await waiting, undefined);
  });

  it('gives an in-process publisher a URL without the key, and refuses one for a stream that takes none', async () => {
    const url = await ingest.localPublishUrl('cam');
    assert.equal(url.includes(KEY), false);
    const waiting = ingest.gateFor('cam').waitForSource(new AbortController().signal);
    const publisher = publish(clip, url);
    await waiting;
    assert.equal(ingest.publisher('cam')?.via, 'vigil');
    assert.equal((await publisher).code, 0);
    await assert.rejects(ingest.localPublishUrl('pulled'), /not a publish:\/\/ stream/);
  });
});
