import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASIC, BEARER, startHarness, type Harness } from '../testing/app-harness.js';

const base = '/streamer/api/v3/streams';

describe('stream routes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('creates a stream with PUT and hands it to the recorder', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: `${base}/cam1`,
      headers: BEARER,
      payload: { url: 'rtsp://10.0.0.5/stream1', title: 'Front door', rotate: 90, dvr: { expiration: 3600 } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.name, 'cam1');
    assert.equal(body.url, 'rtsp://10.0.0.5/stream1');
    assert.equal(body.title, 'Front door');
    assert.equal(body.rotate, 90);
    assert.equal(body.flip, 'none');
    assert.equal(body.enabled, true);
    assert.deepEqual(body.dvr, { expiration: 3600 });
    assert.equal(body.state.status, 'stopped');
    assert.deepEqual(body.archive, { depth: 0 });
    assert.equal(h.recording.applied.at(-1)?.name, 'cam1');
  });

  it('changes only the settings a PUT names', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: `${base}/cam1`,
      headers: BASIC,
      payload: { dvr: { root: '/storage', expiration: 172800 } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.url, 'rtsp://10.0.0.5/stream1');
    assert.equal(body.title, 'Front door');
    assert.deepEqual(body.dvr, { root: '/storage', expiration: 172800 });
    assert.equal(h.recording.applied.at(-1)?.dvr.expirationSeconds, 172800);
  });

  it('shows live recorder state with the last error', async () => {
    h.recording.setState('cam1', [
      {
        variant: 'main',
        status: 'retrying',
        sinceUs: 1_700_000_000_000_000,
        lastError: { code: 'SOURCE_FAILED', message: 'connection refused', atUs: 1_700_000_000_000_000 },
        nextAttemptAtUs: 1_700_000_002_000_000,
        lastPacketAtUs: undefined,
        segmentsWritten: 3,
        bytesWritten: 1000,
        codecs: undefined,
      },
    ]);
    const res = await h.app.inject({ method: 'GET', url: `${base}/cam1`, headers: BEARER });
    assert.equal(res.statusCode, 200, res.body);
    const { state } = res.json();
    assert.equal(state.status, 'retrying');
    assert.deepEqual(state.last_error, { code: 'SOURCE_FAILED', message: 'connection refused', at: 1_700_000_000 });
    assert.equal(state.recorders[0].next_attempt_at, 1_700_000_002);
    assert.equal(state.recorders[0].segments_written, 3);
  });

  it('lists streams', async () => {
    await h.app.inject({ method: 'PUT', url: `${base}/alpha`, headers: BEARER, payload: { url: 'demo://clock' } });
    const res = await h.app.inject({ method: 'GET', url: base, headers: BEARER });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().streams.map((s: { name: string }) => s.name),
      ['alpha', 'cam1'],
    );
  });

  it('keeps streams across a rebuilt app on the same database', async () => {
    await h.rebuild();
    const res = await h.app.inject({ method: 'GET', url: `${base}/cam1`, headers: BEARER });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().title, 'Front door');
    assert.deepEqual(res.json().dvr, { root: '/storage', expiration: 172800 });
  });

  it('deletes a stream, stopping its recorder, and then answers 404', async () => {
    const res = await h.app.inject({ method: 'DELETE', url: `${base}/alpha?purge=true`, headers: BEARER });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { name: 'alpha', deleted: true, purged: true });
    assert.deepEqual(h.recording.removed, ['alpha']);
    const gone = await h.app.inject({ method: 'GET', url: `${base}/alpha`, headers: BEARER });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().error.code, 'STREAM_NOT_FOUND');
    const again = await h.app.inject({ method: 'DELETE', url: `${base}/alpha`, headers: BEARER });
    assert.equal(again.statusCode, 404);
  });

  it('requires url when creating', async () => {
    const res = await h.app.inject({ method: 'PUT', url: `${base}/new1`, headers: BEARER, payload: { title: 'x' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, 'url');
    assert.match(res.json().error.message, /^url: required when creating a stream/);
  });

  it('answers unknown routes with the error envelope', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/nope' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'NOT_FOUND');
  });

  it('serves /healthz and the web UI page at / without auth, naming no stream', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    // The built UI (200), or the page saying how to build it (503): either way public, so it shows no stream.
    const page = await h.app.inject({ method: 'GET', url: '/' });
    assert.ok([200, 503].includes(page.statusCode), `status ${page.statusCode}`);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.doesNotMatch(page.body, /Front door/);
    assert.doesNotMatch(page.body, /rtsp:\/\//);
  });
});
