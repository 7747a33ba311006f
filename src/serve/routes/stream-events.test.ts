import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BEARER, startHarness, type Harness } from '../testing/app-harness.js';

const base = '/api/v1/streams/cam1/events';
const T0 = 1_700_000_000; // Unix seconds

describe('stream events API', () => {
  let h: Harness;
  const post = (payload: Record<string, unknown>, url = base) =>
    h.app.inject({ method: 'POST', url, headers: BEARER, payload });
  const get = (query: string, url = base) => h.app.inject({ method: 'GET', url: `${url}?${query}`, headers: BEARER });

  before(async () => {
    h = await startHarness();
    const res = await h.app.inject({
      method: 'PUT',
      url: '/streamer/api/v3/streams/cam1',
      headers: BEARER,
      payload: { url: 'demo://clock' },
    });
    assert.equal(res.statusCode, 200, res.body);
  });
  after(async () => {
    await h.close();
  });

  it('records an event given start and end, and answers 201 with it', async () => {
    const res = await post({
      start: T0 + 10,
      end: '2023-11-14T22:13:35.5Z', // T0 + 15.5
      label: 'person',
      severity: 'Alert',
      boxes: [
        { t: T0 + 12, x: 0.5, y: 0.5, w: 0.25, h: 0.5 },
        { x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
      ],
    });
    assert.equal(res.statusCode, 201, res.body);
    const event = res.json();
    assert.ok(Number.isInteger(event.id));
    assert.deepEqual(
      { ...event, id: 0, created_at: 0 },
      {
        id: 0,
        stream: 'cam1',
        start: T0 + 10,
        end: T0 + 15.5,
        duration: 5.5,
        label: 'person',
        severity: 'alert',
        boxes: [
          { t: T0 + 10, x: 0.1, y: 0.2, w: 0.3, h: 0.4 }, // no t: at the start, and boxes come in time order
          { t: T0 + 12, x: 0.5, y: 0.5, w: 0.25, h: 0.5 },
        ],
        created_at: 0,
      },
    );
  });

  it('takes a duration instead of an end, and lists events overlapping a range', async () => {
    const res = await post({ start: String(T0 + 100), duration: 2, label: 'car', severity: 'info' });
    assert.equal(res.statusCode, 201, res.body);
    const all = await get(`from=${T0}&to=${T0 + 200}`);
    assert.equal(all.statusCode, 200, all.body);
    assert.deepEqual(
      all.json().events.map((e: { label: string; start: number }) => [e.label, e.start]),
      [
        ['person', T0 + 10],
        ['car', T0 + 100],
      ],
    );
    const some = await get(`from=${T0 + 101}&duration=10`);
    assert.deepEqual(
      some.json().events.map((e: { label: string }) => e.label),
      ['car'],
    );
    assert.deepEqual((await get(`from=${T0 + 102}&to=${T0 + 103}`)).json(), { events: [] });
  });

  it('deletes an event by id: 204, then 404', async () => {
    const created = (await post({ start: T0 + 300, duration: 1, label: 'gone', severity: 'warning' })).json();
    const del = () => h.app.inject({ method: 'DELETE', url: `${base}/${created.id}`, headers: BEARER });
    assert.equal((await del()).statusCode, 204);
    const again = await del();
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().error.code, 'NOT_FOUND');
    assert.deepEqual((await get(`from=${T0 + 300}&duration=1`)).json(), { events: [] });
  });

  it('answers 404 for an unknown stream, on every method', async () => {
    const other = '/api/v1/streams/nope/events';
    const answers = [
      await post({ start: T0, duration: 1, label: 'x', severity: 'info' }, other),
      await get(`from=${T0}&duration=1`, other),
      await h.app.inject({ method: 'DELETE', url: `${other}/1`, headers: BEARER }),
    ];
    for (const res of answers) {
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.code, 'STREAM_NOT_FOUND');
    }
  });

  it('needs admin credentials', async () => {
    const res = await h.app.inject({ method: 'GET', url: `${base}?from=${T0}&duration=1` });
    assert.equal(res.statusCode, 401);
  });

  const good = { start: T0, end: T0 + 5, label: 'person', severity: 'alert' };
  const box = { x: 0.1, y: 0.1, w: 0.2, h: 0.2 };
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['a start that is no time', { ...good, start: 'yesterday' }, 'start'],
    ['an end before the start', { ...good, end: T0 - 1 }, 'end'],
    ['neither end nor duration', { start: T0, label: 'x', severity: 'info' }, 'end'],
    ['both end and duration', { ...good, duration: 5 }, 'duration'],
    ['a negative duration', { start: T0, duration: -1, label: 'x', severity: 'info' }, 'duration'],
    ['an unknown severity', { ...good, severity: 'urgent' }, 'severity'],
    ['an empty label', { ...good, label: '' }, 'label'],
    ['a label too long', { ...good, label: 'x'.repeat(201) }, 'label'],
    ['too many boxes', { ...good, boxes: Array.from({ length: 101 }, () => box) }, 'boxes'],
    ['x + w > 1', { ...good, boxes: [{ ...box, x: 0.9 }] }, 'boxes[0].w'],
    ['a box after the event', { ...good, boxes: [{ ...box, t: T0 + 6 }] }, 'boxes[0].t'],
    ['a box time that is no time', { ...good, boxes: [{ ...box, t: 'soon' }] }, 'boxes[0].t'],
    ['an unknown field', { ...good, colour: 'red' }, 'colour'],
  ];
  for (const [name, payload, field] of refused) {
    it(`refuses ${name} with a 400 naming ${field}`, async () => {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.field, field, res.body);
    });
  }

  it('refuses a list query without an end, naming to', async () => {
    const res = await get(`from=${T0}`);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, 'to');
  });
});
