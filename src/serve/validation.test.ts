import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASIC, BEARER, startHarness, type Harness } from './testing/app-harness.js';

const streams = '/streamer/api/v3/streams';

describe('admin auth', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const refused: Array<[string, Record<string, string>]> = [
    ['no credentials', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token' }],
    ['a wrong password', { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` }],
    ['a wrong user', { authorization: `Basic ${Buffer.from('root:secret').toString('base64')}` }],
    ['an unknown scheme', { authorization: 'Digest abc' }],
  ];
  for (const [what, headers] of refused) {
    it(`refuses ${what} with 401 and changes nothing`, async () => {
      const res = await h.app.inject({
        method: 'PUT',
        url: `${streams}/cam1`,
        headers,
        payload: { url: 'demo://clock' },
      });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'UNAUTHORIZED');
      assert.match(String(res.headers['www-authenticate']), /Basic realm="vigil"/);
      assert.equal(await h.archive.getStream('cam1'), undefined);
      assert.equal(h.recording.applied.length, 0);
    });
  }

  it('accepts Bearer and Basic', async () => {
    for (const headers of [BEARER, BASIC]) {
      const res = await h.app.inject({
        method: 'PUT',
        url: `${streams}/cam1`,
        headers,
        payload: { url: 'demo://clock' },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    const list = await h.app.inject({ method: 'GET', url: streams, headers: BASIC });
    assert.equal(list.statusCode, 200);
  });
});

describe('bad input is refused with 400 naming the field', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.app.inject({ method: 'PUT', url: `${streams}/cam1`, headers: BEARER, payload: { url: 'demo://clock' } });
  });
  after(async () => {
    await h.close();
  });

  const cases: Array<{
    what: string;
    method: 'PUT' | 'POST' | 'DELETE' | 'GET';
    url: string;
    payload?: unknown;
    field: string;
    code?: string;
    message?: RegExp;
  }> = [
    // A bare `..` segment is resolved away by URL parsing before routing; inside a name it must be refused.
    {
      what: 'a name with ..',
      method: 'PUT',
      url: `${streams}/cam..1`,
      payload: { url: 'demo://clock' },
      field: 'name',
    },
    { what: 'a name climbing out', method: 'GET', url: `${streams}/..%2Fetc`, field: 'name' },
    { what: 'a name with /', method: 'PUT', url: `${streams}/a%2Fb`, payload: { url: 'demo://clock' }, field: 'name' },
    { what: 'a 65-character name', method: 'GET', url: `${streams}/${'a'.repeat(65)}`, field: 'name' },
    {
      what: 'an unsupported URL scheme',
      method: 'PUT',
      url: `${streams}/cam2`,
      payload: { url: 'ftp://host/video' },
      field: 'url',
      code: 'SOURCE_UNSUPPORTED',
      message: /^url: scheme "ftp" is not supported; use rtsp, rtmp, http\(s\), srt, file, demo or publish$/,
    },
    {
      what: 'an unknown JSON key',
      method: 'PUT',
      url: `${streams}/cam1`,
      payload: { url: 'demo://clock', colour: 'red' },
      field: 'colour',
      code: 'UNKNOWN_FIELD',
      message: /^colour: unknown key; allowed: name, url, /,
    },
    {
      what: 'an unknown nested key',
      method: 'PUT',
      url: `${streams}/cam1`,
      payload: { dvr: { expire: 5 } },
      field: 'dvr.expire',
      code: 'UNKNOWN_FIELD',
    },
    {
      what: 'a wrong enum value',
      method: 'PUT',
      url: `${streams}/cam1`,
      payload: { rotate: 45 },
      field: 'rotate',
      message: /^rotate: expected one of 0, 90, 180, 270, got 45$/,
    },
    {
      what: 'a negative expiration',
      method: 'PUT',
      url: `${streams}/cam1`,
      payload: { dvr: { expiration: -1 } },
      field: 'dvr.expiration',
    },
    {
      what: 'a bad disk limit',
      method: 'PUT',
      url: `${streams}/cam1`,
      payload: { dvr: { disk_limit: 'lots' } },
      field: 'dvr.disk_limit',
    },
    {
      what: 'a negative from',
      method: 'POST',
      url: `${streams}/cam1/dvr/locks`,
      payload: { from: -5, duration: 10 },
      field: 'from',
    },
    {
      what: 'a non-numeric from',
      method: 'POST',
      url: `${streams}/cam1/dvr/locks`,
      payload: { from: 'yesterday', duration: 10 },
      field: 'from',
    },
    {
      what: 'a negative duration',
      method: 'POST',
      url: `${streams}/cam1/dvr/locks`,
      payload: { from: 1, duration: -10 },
      field: 'duration',
    },
    {
      what: 'a non-numeric duration',
      method: 'DELETE',
      url: `${streams}/cam1/dvr/ranges`,
      payload: { from: 1, duration: 'long' },
      field: 'duration',
    },
    {
      what: 'a lock without duration',
      method: 'POST',
      url: `${streams}/cam1/dvr/locks`,
      payload: { from: 1 },
      field: 'duration',
      message: /^duration: required$/,
    },
    {
      what: 'a zero duration',
      method: 'DELETE',
      url: `${streams}/cam1/dvr/locks`,
      payload: { from: 1, duration: 0 },
      field: 'duration',
    },
    { what: 'a bad purge flag', method: 'DELETE', url: `${streams}/cam1?purge=maybe`, field: 'purge' },
  ];

  for (const c of cases) {
    it(`refuses ${c.what}`, async () => {
      const res = await h.app.inject({
        method: c.method,
        url: c.url,
        headers: BEARER,
        ...(c.payload === undefined ? {} : { payload: c.payload as Record<string, unknown> }),
      });
      assert.equal(res.statusCode, 400, res.body);
      const { error } = res.json();
      assert.equal(error.field, c.field, res.body);
      assert.equal(error.code, c.code ?? 'INVALID_ARGUMENT');
      assert.ok(error.message.startsWith(`${c.field}: `), error.message);
      if (c.message) assert.match(error.message, c.message);
    });
  }

  it('leaves the stream unchanged after refused changes', async () => {
    const res = await h.app.inject({ method: 'GET', url: `${streams}/cam1`, headers: BEARER });
    assert.equal(res.json().rotate, 0);
    assert.deepEqual(res.json().dvr, {});
    const locks = await h.app.inject({ method: 'GET', url: `${streams}/cam1/dvr/locks`, headers: BEARER });
    assert.deepEqual(locks.json(), { locks: [] });
  });

  it('refuses a body that is not JSON', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: `${streams}/cam1`,
      headers: { ...BEARER, 'content-type': 'application/json' },
      payload: '{"url":',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, 'body');
  });
});
