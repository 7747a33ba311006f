import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BEARER, TEST_AUTH } from '../testing/app-harness.js';
import { SESSION_COOKIE } from './access-hook.js';
import { openAccessTestApp, type AccessTestApp } from './access-test-app.js';

const PLAYLIST = '/cam/index.m3u8';
const DOWNLOAD = '/cam/archive-1763712000-10.mp4';

function basic(user: string, password: string) {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

describe('access over HTTP', () => {
  let t: AccessTestApp;
  before(async () => {
    t = await openAccessTestApp({
      trustProxy: true,
      users: [{ name: 'carol', role: 'viewer', password: 'plain-pass-1', streams: ['cam'] }],
    });
  });
  after(() => t.close());

  const issue = async (body: Record<string, unknown>, headers: Record<string, string> = BEARER) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload: body });
    return res;
  };
  const tokenFor = async (body: Record<string, unknown>) => (await issue(body)).json<{ token: string }>().token;
  const get = (url: string, headers: Record<string, string> = {}, remoteAddress?: string) =>
    t.app.inject({ method: 'GET', url, headers, ...(remoteAddress === undefined ? {} : { remoteAddress }) });

  describe('play tokens', () => {
    it('opens the URLs of its stream and kind, and answers 401 without any credentials', async () => {
      const token = await tokenFor({ stream: 'cam', kinds: ['live'], expires_in: 60 });
      assert.equal((await get(`${PLAYLIST}?token=${token}`)).statusCode, 200);
      assert.equal((await get(PLAYLIST)).statusCode, 401);
    });

    it('answers 403 naming what is wrong: tampered, wrong stream, wrong kind', async () => {
      const token = await tokenFor({ stream: 'cam', kinds: ['live'], expires_in: 60 });
      const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
      const cases: Array<[string, RegExp]> = [
        [`${PLAYLIST}?token=${tampered}`, /signature does not match/],
        [`/other/index.m3u8?token=${token}`, /issued for stream "cam", not "other"/],
        [`${DOWNLOAD}?token=${token}`, /allows live, and this URL needs download/],
        [`/streamer/api/v3/streams?token=${token}`, /viewer URLs only/],
      ];
      for (const [url, message] of cases) {
        const res = await get(url);
        assert.equal(res.statusCode, 403, url);
        assert.equal(res.json().error.code, 'FORBIDDEN');
        assert.match(res.json().error.message, message);
      }
    });

    it('expires', async () => {
      const token = await tokenFor({ stream: 'cam', kinds: ['live'], expires_in: 30 });
      t.advance(31_000);
      try {
        const res = await get(`${PLAYLIST}?token=${token}`);
        assert.equal(res.statusCode, 403);
        assert.match(res.json().error.message, /^token: expired at /);
      } finally {
        t.advance(-31_000);
      }
    });

    it('bound to an IP, works from it only (X-Forwarded-For counts behind a trusted proxy)', async () => {
      const token = await tokenFor({ stream: 'cam', kinds: ['live'], expires_in: 60, ip: '203.0.113.7' });
      const elsewhere = await get(`${PLAYLIST}?token=${token}`);
      assert.equal(elsewhere.statusCode, 403);
      assert.match(elsewhere.json().error.message, /another client IP/);
      assert.equal((await get(`${PLAYLIST}?token=${token}`, {}, '203.0.113.7')).statusCode, 200);
      const proxied = await get(`${PLAYLIST}?token=${token}`, { 'x-forwarded-for': '203.0.113.7' });
      assert.equal(proxied.statusCode, 200);
    });

    it('a viewer may get tokens for its own streams only, and never more than 7 days', async () => {
      const carol = basic('carol', 'plain-pass-1');
      assert.equal((await issue({ stream: 'cam', kinds: ['archive'], expires_in: 60 }, carol)).statusCode, 200);
      assert.equal((await issue({ stream: 'other', kinds: ['archive'], expires_in: 60 }, carol)).statusCode, 403);
      const long = await issue({ stream: 'cam', kinds: ['archive'], expires_in: 7 * 86400 + 1 });
      assert.equal(long.statusCode, 400);
    });
  });

  describe('users and keys', () => {
    it('limits a user to its streams: lists, stream URLs, and source passwords masked', async () => {
      const carol = basic('carol', 'plain-pass-1');
      const list = await get('/streamer/api/v3/streams', carol);
      assert.equal(list.statusCode, 200);
      const streams = list.json<{ streams: Array<{ name: string; url: string }> }>().streams;
      assert.deepEqual(
        streams.map((s) => [s.name, s.url]),
        [['cam', 'rtsp://***@camera.invalid/cam']],
      );
      assert.equal((await get('/streamer/api/v3/streams/other/dvr/ranges', carol)).statusCode, 403);
      assert.equal((await get('/streamer/api/v3/streams/cam/dvr/locks', carol)).statusCode, 403); // operator+
    });

    it('creates, changes and deletes users; never returns a password', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: BEARER,
        payload: { name: 'dave', role: 'operator', password: 'dave-secret-1', streams: ['other'] },
      });
      assert.equal(created.statusCode, 201);
      assert.ok(!created.body.includes('dave-secret-1') && !created.body.includes('scrypt'));
      const dave = basic('dave', 'dave-secret-1');
      assert.equal((await get('/streamer/api/v3/streams/other/dvr/locks', dave)).statusCode, 200);
      const patched = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/users/dave',
        headers: BEARER,
        payload: { role: 'viewer' },
      });
      assert.equal(patched.json().role, 'viewer');
      assert.equal((await get('/streamer/api/v3/streams/other/dvr/locks', dave)).statusCode, 403);
      const listed = await get('/api/v1/users', BEARER);
      assert.ok(!listed.body.includes('scrypt'));
      assert.equal(
        (await t.app.inject({ method: 'DELETE', url: '/api/v1/users/dave', headers: BEARER })).statusCode,
        204,
      );
      assert.equal((await get('/streamer/api/v3/streams', dave)).statusCode, 401);
      const configured = await t.app.inject({ method: 'DELETE', url: '/api/v1/users/carol', headers: BEARER });
      assert.equal(configured.statusCode, 409);
    });

    it('a revoked key fails on the very next request; lists never show the key', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/keys',
        headers: BEARER,
        payload: { role: 'viewer', streams: ['cam'], ips: ['127.0.0.0/8'] },
      });
      const { id, key } = created.json<{ id: string; key: string }>();
      const auth = { authorization: `Bearer ${key}` };
      // Through the hook to the handler, which finds nothing recorded.
      assert.equal((await get(DOWNLOAD, auth)).json().error.code, 'RANGE_NOT_RECORDED');
      assert.equal((await get(DOWNLOAD, auth, '10.0.0.1')).statusCode, 403); // outside its allowlist
      const listed = await get('/api/v1/keys', BEARER);
      assert.ok(!listed.body.includes(key));
      await t.app.inject({ method: 'DELETE', url: `/api/v1/keys/${id}`, headers: BEARER });
      const after = await get(DOWNLOAD, auth);
      assert.equal(after.statusCode, 401);
      assert.match(after.json().error.message, /revoked/);
    });
  });

  describe('sessions', () => {
    const login = (user: string, password: string, headers: Record<string, string> = {}, remoteAddress?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers,
        payload: { user, password },
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
      });

    it('signs in with a cookie, and needs the CSRF header to change anything', async () => {
      const res = await login(TEST_AUTH.user, TEST_AUTH.password);
      assert.equal(res.statusCode, 200);
      const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
      assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict' && cookie.path === '/' && !cookie.secure);
      const { csrf_token: csrf, role } = res.json<{ csrf_token: string; role: string }>();
      assert.equal(role, 'admin');
      const headers = { cookie: `${SESSION_COOKIE}=${cookie.value}` };
      assert.equal((await get('/api/v1/session', headers)).json().csrf_token, csrf);
      assert.equal((await get('/streamer/api/v3/streams', headers)).statusCode, 200);
      const put = (extra: Record<string, string>) =>
        t.app.inject({
          method: 'PUT',
          url: '/streamer/api/v3/streams/cam',
          headers: { ...headers, ...extra },
          payload: { title: 'Front' },
        });
      const refused = await put({});
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, 'CSRF');
      assert.equal((await put({ 'x-csrf-token': 'wrong' })).statusCode, 403);
      assert.equal((await put({ 'x-csrf-token': csrf })).statusCode, 200);
      const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers });
      assert.equal(out.statusCode, 204);
      assert.equal((await get('/streamer/api/v3/streams', headers)).statusCode, 401);
    });

    it('marks the cookie Secure behind a TLS proxy', async () => {
      const res = await login('carol', 'plain-pass-1', { 'x-forwarded-proto': 'https' });
      assert.equal(res.cookies.find((c) => c.name === SESSION_COOKIE)?.secure, true);
    });

    it('answers 429 with Retry-After after too many failures, even to the right password', async () => {
      const ip = '198.51.100.9';
      for (let i = 0; i < 5; i++) assert.equal((await login('carol', 'wrong', {}, ip)).statusCode, 401);
      const limited = await login('carol', 'plain-pass-1', {}, ip);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      // The same user from another client is limited too (per user), and Basic counts the same way.
      assert.equal((await get('/streamer/api/v3/streams', basic('carol', 'plain-pass-1'))).statusCode, 429);
      t.advance(301_000);
      try {
        assert.equal((await login('carol', 'plain-pass-1', {}, ip)).statusCode, 200);
      } finally {
        t.advance(-301_000);
      }
    });
  });
});
