/**
 * Play tokens and keys on real media: a playlist carries its token into every
 * URL it lists, and a key revoked while a download runs lets that download
 * finish but fails the next request at once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestClip } from '../../../test/helpers/media-check.js';
import { createMediaEngine, type MediaEngine } from '../../media/index.js';
import { importFiles } from '../../record/import.js';
import { BEARER } from '../testing/app-harness.js';
import { openAccessTestApp, type AccessTestApp } from './access-test-app.js';

const START_US = Date.UTC(2026, 0, 31, 12, 0, 0) * 1000;
const FROM_S = START_US / 1e6;

describe('access on real media', () => {
  let t: AccessTestApp;
  let engine: MediaEngine;
  before(async () => {
    engine = createMediaEngine();
    t = await openAccessTestApp({ engine });
    const clip = join(t.dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 6 });
    await importFiles({
      archive: t.archive,
      engine,
      stream: 'cam',
      startUs: START_US,
      files: [clip],
      segmentDurationUs: 4_000_000,
    });
  });
  after(async () => {
    await t.close();
    await engine.close();
  });

  it('an archive playlist lists every URL with its token, and each of them opens with it', async () => {
    const issued = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: BEARER,
      payload: { stream: 'cam', kinds: ['archive'], expires_in: 300 },
    });
    const { token } = issued.json<{ token: string }>();
    const playlist = await t.app.inject({ method: 'GET', url: `/cam/index-${FROM_S}-6.m3u8?token=${token}` });
    assert.equal(playlist.statusCode, 200, playlist.body);
    const uris = playlist.body
      .split('\n')
      .flatMap((line) =>
        line.startsWith('#EXT-X-MAP:')
          ? [/URI="([^"]+)"/.exec(line)?.[1] ?? '']
          : line.startsWith('#') || line === ''
            ? []
            : [line],
      );
    assert.ok(uris.length >= 2, playlist.body);
    for (const uri of uris) {
      assert.ok(uri.endsWith(`?token=${encodeURIComponent(token)}`), uri);
      const res = await t.app.inject({ method: 'GET', url: `/cam/${uri}` });
      assert.ok(res.statusCode === 200 || res.statusCode === 206, `${uri}: ${res.statusCode}`);
    }
    const download = await t.app.inject({ method: 'GET', url: `/cam/archive-${FROM_S}-4.mp4?token=${token}` });
    assert.equal(download.statusCode, 403); // an archive token does not download
  });

  it('a key revoked mid-download: that download completes, the next request fails at once', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: BEARER,
      payload: { role: 'viewer' },
    });
    const { id, key } = created.json<{ id: string; key: string }>();
    const auth = { authorization: `Bearer ${key}` };
    const url = `/cam/archive-${FROM_S}-5.mp4`;
    const running = await t.app.inject({ method: 'GET', url, headers: auth, payloadAsStream: true });
    assert.equal(running.statusCode, 200);
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/keys/${id}`, headers: BEARER });
    assert.equal(revoked.statusCode, 204);
    const next = await t.app.inject({ method: 'GET', url, headers: { ...auth, range: 'bytes=0-99' } });
    assert.equal(next.statusCode, 401);
    const chunks: Buffer[] = [];
    for await (const chunk of running.stream()) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).length, Number(running.headers['content-length']));
  });
});
