import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { insertSegment } from '../../archive/index/segments.repo.js';
import { videoTrack } from '../../archive/testing/fixtures.js';
import { BEARER, startHarness, type Harness } from '../testing/app-harness.js';

const base = '/streamer/api/v3/streams/cam1/dvr';
const T0 = 1_700_000_000; // Unix seconds
const US = 1_000_000;

async function seedSegment(h: Harness, startS: number, durationS: number): Promise<void> {
  await insertSegment(h.archive.db, {
    stream: 'cam1',
    variant: 'main',
    startUs: startS * US,
    endUs: (startS + durationS) * US,
    root: join(h.dir, 'archive'),
    path: `cam1/${startS}.mp4`,
    sizeBytes: 1000,
    initSizeBytes: 100,
    tracks: [videoTrack],
    codecs: 'avc1.64001f',
    closed: true,
  });
}

describe('dvr ranges and locks', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const res = await h.app.inject({
      method: 'PUT',
      url: '/streamer/api/v3/streams/cam1',
      headers: BEARER,
      payload: { url: 'demo://clock' },
    });
    assert.equal(res.statusCode, 200, res.body);
    await seedSegment(h, T0, 60);
    await seedSegment(h, T0 + 60, 60);
    await seedSegment(h, T0 + 600, 60);
  });
  after(async () => {
    await h.close();
  });

  it('lists recorded ranges in Unix seconds', async () => {
    const res = await h.app.inject({ method: 'GET', url: `${base}/ranges`, headers: BEARER });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      ranges: [
        { from: T0, duration: 120 },
        { from: T0 + 600, duration: 60 },
      ],
    });
  });

  it('reports the archive extent on the stream', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/streamer/api/v3/streams/cam1', headers: BEARER });
    assert.deepEqual(res.json().archive, { from: T0, to: T0 + 660, depth: 660 });
  });

  it('locks, lists and unlocks ranges given in seconds or ISO 8601', async () => {
    const added = await h.app.inject({
      method: 'POST',
      url: `${base}/locks`,
      headers: BEARER,
      payload: { from: T0, duration: 60 },
    });
    assert.equal(added.statusCode, 200, added.body);
    assert.deepEqual(added.json(), { locks: [{ from: T0, duration: 60 }] });

    const iso = new Date((T0 + 600) * 1000).toISOString();
    await h.app.inject({
      method: 'POST',
      url: `${base}/locks`,
      headers: BEARER,
      payload: { from: iso, duration: '30' },
    });
    const listed = await h.app.inject({ method: 'GET', url: `${base}/locks`, headers: BEARER });
    assert.deepEqual(listed.json(), {
      locks: [
        { from: T0, duration: 60 },
        { from: T0 + 600, duration: 30 },
      ],
    });

    const removed = await h.app.inject({
      method: 'DELETE',
      url: `${base}/locks`,
      headers: BEARER,
      payload: { from: T0 + 600, duration: 30 },
    });
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(removed.json(), { locks: [{ from: T0, duration: 60 }] });
  });

  it('deletes a range but keeps locked recordings', async () => {
    const res = await h.app.inject({
      method: 'DELETE',
      url: `${base}/ranges`,
      headers: BEARER,
      payload: { from: T0, duration: 700 },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { ranges: [{ from: T0, duration: 60 }] });
  });

  it('answers 404 for the ranges and locks of an unknown stream', async () => {
    for (const path of ['dvr/ranges', 'dvr/locks']) {
      const res = await h.app.inject({ method: 'GET', url: `/streamer/api/v3/streams/ghost/${path}`, headers: BEARER });
      assert.equal(res.statusCode, 404, path);
      assert.equal(res.json().error.code, 'STREAM_NOT_FOUND');
    }
  });
});
