import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { resolveConfig, parseConfigText } from './config-file.js';
import { parseRtmpIngestConfig } from './ingest-schema.js';
import { streamToWire, toStreamDefinition } from './stream-schema.js';

const KEY = 'k3y-for.cam_1~x';

function refusal(run: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    run();
  } catch (err) {
    assert.ok(isVigilError(err), String(err));
    return { code: err.code, field: err.field, message: err.message };
  }
  assert.fail('expected a refusal');
}

describe('publish:// streams', () => {
  it('keeps the key and never returns it on the wire', () => {
    const def = toStreamDefinition('cam', { url: 'publish://', publish_key: KEY });
    assert.equal(def.publishKey, KEY);
    const wire = streamToWire(def);
    assert.equal(JSON.stringify(wire).includes(KEY), false);
    assert.equal('publish_key' in wire, false);
  });

  it('keeps the key on a change that leaves it out, and drops it when the url stops being publish://', () => {
    const def = toStreamDefinition('cam', { url: 'publish://', publish_key: KEY });
    assert.equal(toStreamDefinition('cam', { title: 'Door' }, def).publishKey, KEY);
    assert.equal(toStreamDefinition('cam', { url: 'rtsp://cam/1' }, def).publishKey, undefined);
  });

  const cases: Array<[string, unknown, string, RegExp]> = [
    ['a publish stream without a key', { url: 'publish://' }, 'publish_key', /required when url is publish:\/\//],
    ['a key on a pulled stream', { url: 'rtsp://c/1', publish_key: KEY }, 'publish_key', /only for a stream whose url/],
    ['a short key', { url: 'publish://', publish_key: 'short' }, 'publish_key', /8 to 256 .*got 5 characters/],
    ['a key with a space', { url: 'publish://', publish_key: 'has a space' }, 'publish_key', /value hidden/],
    ['a key that is not a string', { url: 'publish://', publish_key: 12345678 }, 'publish_key', /string/],
    ['a publish url with a path', { url: 'publish://cam', publish_key: KEY }, 'url', /exactly "publish:\/\/"/],
    ['a publish substream', { url: 'rtsp://c/1', substream_url: 'publish://' }, 'substream_url', /main url only/],
  ];
  for (const [name, body, field, message] of cases) {
    it(`refuses ${name}, naming ${field}`, () => {
      const r = refusal(() => toStreamDefinition('cam', body));
      assert.equal(r.field, field);
      assert.match(r.message, message);
      assert.equal(r.message.includes('has a space'), false, 'the key is not echoed');
    });
  }

  it('names the stream in the config file', () => {
    const file = parseConfigText('streams:\n  cam:\n    url: publish://\n', 'vigil.yaml');
    const r = refusal(() => resolveConfig(file, { label: 'vigil.yaml' }));
    assert.equal(r.code, 'INVALID_CONFIG');
    assert.equal(r.field, 'streams.cam.publish_key');
  });
});

describe('rtmp: config section', () => {
  it('is off when absent', () => {
    assert.equal(resolveConfig({}).rtmp, undefined);
  });

  it('listens on the HTTP host for a bare port, or where host:port says', () => {
    assert.deepEqual(resolveConfig(parseConfigText('host: 127.0.0.1\nrtmp:\n  listen: 1935\n', 'f')).rtmp, {
      host: '127.0.0.1',
      port: 1935,
      app: 'live',
    });
    assert.deepEqual(parseRtmpIngestConfig({ listen: '0.0.0.0:19350', app: 'in' }, '127.0.0.1', 'f'), {
      host: '0.0.0.0',
      port: 19350,
      app: 'in',
    });
    assert.deepEqual(parseRtmpIngestConfig({ listen: '[::1]:1935' }, 'x', 'f'), {
      host: '::1',
      port: 1935,
      app: 'live',
    });
  });

  const cases: Array<[string, string, string]> = [
    ['an unknown key', 'rtmp:\n  listen: 1935\n  port: 1\n', 'rtmp.port'],
    ['a port out of range', 'rtmp:\n  listen: 70000\n', 'rtmp.listen'],
    ['no listen', 'rtmp:\n  app: live\n', 'rtmp.listen'],
    ['a bad app name', 'rtmp:\n  listen: 1935\n  app: "a/b"\n', 'rtmp.app'],
  ];
  for (const [name, yaml, field] of cases) {
    it(`refuses ${name}, naming ${field}`, () => {
      const r = refusal(() => parseConfigText(yaml, 'vigil.yaml'));
      assert.equal(r.field, field);
      assert.match(r.message, /^vigil\.yaml: /);
    });
  }

  it('refuses a listen string that is not host:port, naming rtmp.listen', () => {
    const r = refusal(() =>
      resolveConfig(parseConfigText('rtmp:\n  listen: "localhost"\n', 'v.yaml'), { label: 'v.yaml' }),
    );
    assert.equal(r.field, 'rtmp.listen');
    assert.match(r.message, /expected a port \(1935\) or "host:port"/);
  });
});
