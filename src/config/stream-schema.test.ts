import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { streamToWire, toStreamDefinition } from './stream-schema.js';
import { isVigilError } from '../errors.js';

function refused(run: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    run();
  } catch (err) {
    assert.ok(isVigilError(err), String(err));
    return { code: err.code, field: err.field, message: err.message };
  }
  assert.fail('expected a refusal');
}

describe('toStreamDefinition', () => {
  it('fills defaults and round-trips through the wire form', () => {
    const def = toStreamDefinition('cam1', { url: 'rtsp://cam/1', dvr: { disk_limit: '1.5T' } });
    assert.equal(def.title, 'cam1');
    assert.equal(def.rtspTransport, 'tcp');
    assert.equal(def.dvr.diskLimitBytes, 1.5 * 1024 ** 4);
    assert.deepEqual(toStreamDefinition('cam1', streamToWire(def)), def);
  });

  it('keeps what a change leaves out and clears what it sets to null', () => {
    const created = toStreamDefinition('cam1', {
      url: 'rtsp://cam/1',
      substream_url: 'rtsp://cam/2',
      dvr: { expiration: 60, root: '/a' },
    });
    const changed = toStreamDefinition('cam1', { substream_url: null, dvr: { expiration: null } }, created);
    assert.equal(changed.url, 'rtsp://cam/1');
    assert.equal(changed.substreamUrl, undefined);
    assert.deepEqual(changed.dvr, { root: '/a', expirationSeconds: undefined, diskLimitBytes: undefined });
  });

  it('resolves a percentage disk limit against the root filesystem', () => {
    const def = toStreamDefinition('cam1', { url: 'demo://clock', dvr: { disk_limit: '80%' } }, undefined, {
      defaultRoot: '/archive',
      fsSize: (path) => (path === '/archive' ? 1000 : 0),
    });
    assert.equal(def.dvr.diskLimitBytes, 800);
  });

  it('names the field and the fix in every refusal', () => {
    assert.deepEqual(
      refused(() => toStreamDefinition('cam1', { url: 'ftp://x' })),
      {
        code: 'SOURCE_UNSUPPORTED',
        field: 'url',
        message: 'url: scheme "ftp" is not supported; use rtsp, rtmp, http(s), srt, file, demo or publish',
      },
    );
    assert.equal(
      refused(() => toStreamDefinition('cam1', { url: 'demo://a', substream_url: 'gopher://x' })).field,
      'substream_url',
    );
    assert.equal(refused(() => toStreamDefinition('a'.repeat(65), { url: 'demo://a' })).field, 'name');
    assert.equal(refused(() => toStreamDefinition('cam1', { url: 'demo://a', name: 'cam2' })).field, 'name');
    assert.equal(
      refused(() => toStreamDefinition('cam1', { url: 'demo://a', dvr: { disk_limit: '80' + '%%' } })).field,
      'dvr.disk_limit',
    );
    assert.equal(
      refused(() => toStreamDefinition('cam1', { url: 'demo://a', dvr: { disk_limit: '150%' } })).field,
      'dvr.disk_limit',
    );
  });

  it('never echoes a source URL, which may carry a password', () => {
    const error = refused(() => toStreamDefinition('cam1', { url: 'rtsp:/\\nope', substream_url: 'pw-in-here' }));
    assert.doesNotMatch(error.message, /pw-in-here/);
  });
});
