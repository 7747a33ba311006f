import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Kysely } from 'kysely';
import { forEachDialect } from '../../../test/helpers/index-dialects.js';
import type { NewStreamEvent } from '../types.js';
import { type Database, migrateToEmpty, migrateToLatest } from './database.js';
import { deleteEvent, deleteEventsOfStream, insertEvent, listEvents } from './events.repo.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;

function event(
  startS: number,
  endS: number,
  overrides: Partial<NewStreamEvent> = {},
): NewStreamEvent & {
  createdAtUs: number;
} {
  return {
    stream: 'cam1',
    startUs: T0 + startS * S,
    endUs: T0 + endS * S,
    label: 'person',
    severity: 'alert',
    boxes: [],
    createdAtUs: T0,
    ...overrides,
  };
}

forEachDialect('events index', (d) => {
  let db: Kysely<Database>;

  before(async () => {
    db = await d.open();
  });
  after(async () => {
    await db.destroy();
  });

  it('stores an event with its boxes and reads it back the same', async () => {
    const boxes = [
      { tUs: T0 + 1 * S, x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
      { tUs: T0 + 2 * S + 1, x: 0.5, y: 0.5, w: 0.25, h: 0.25 },
    ];
    const saved = await insertEvent(db, event(1, 3, { boxes, severity: 'critical', label: 'intrusion' }));
    assert.ok(saved.id > 0);
    assert.deepEqual(saved, {
      id: saved.id,
      stream: 'cam1',
      startUs: T0 + 1 * S,
      endUs: T0 + 3 * S,
      label: 'intrusion',
      severity: 'critical',
      boxes,
      createdAtUs: T0,
    });
    assert.deepEqual(await listEvents(db, 'cam1', T0, T0 + 10 * S), [saved]);
    assert.equal(await deleteEvent(db, 'cam1', saved.id), true);
  });

  // Events below: long 5 s – 23 h, a 10–15 s, instant at 17 s, b 20–25 s.
  const overlapCases: Array<{ name: string; from: number; to: number; expect: string[] }> = [
    { name: 'a range holding everything', from: 0, to: 100, expect: ['long', 'a', 'instant', 'b'] },
    { name: 'a range starting inside events', from: 12, to: 13, expect: ['long', 'a'] },
    { name: 'a range ending where an event starts (to is exclusive)', from: 0, to: 5, expect: [] },
    { name: 'a range starting where an event ends', from: 15, to: 16, expect: ['long'] },
    { name: 'an instant at from', from: 17, to: 18, expect: ['long', 'instant'] },
    { name: 'an instant at to', from: 16, to: 17, expect: ['long'] },
    { name: 'a range long after an event began', from: 40_000, to: 40_001, expect: ['long'] },
  ];

  it('lists the events of a stream overlapping [from, to), ordered by start', async () => {
    const ids = new Map<number, string>();
    const add = async (name: string, e: NewStreamEvent & { createdAtUs: number }) =>
      ids.set((await insertEvent(db, e)).id, name);
    await add('b', event(20, 25));
    await add('a', event(10, 15));
    await add('instant', event(17, 17));
    await add('long', event(5, 3600 * 23));
    await insertEvent(db, event(10, 15, { stream: 'cam2' }));
    for (const c of overlapCases) {
      const found = await listEvents(db, 'cam1', T0 + c.from * S, T0 + c.to * S);
      assert.deepEqual(
        found.map((e) => ids.get(e.id)),
        c.expect,
        c.name,
      );
    }
    assert.equal(await deleteEventsOfStream(db, 'cam1'), 4);
    assert.equal((await listEvents(db, 'cam2', T0, T0 + 100 * S)).length, 1);
  });

  it('deletes an event only through its own stream', async () => {
    const e = await insertEvent(db, event(1, 2, { stream: 'cam3' }));
    assert.equal(await deleteEvent(db, 'cam1', e.id), false);
    assert.equal(await deleteEvent(db, 'cam3', e.id), true);
    assert.equal(await deleteEvent(db, 'cam3', e.id), false);
  });

  it('has a migration that can be rolled back and applied again', async () => {
    await insertEvent(db, event(1, 2));
    await migrateToEmpty(db);
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    assert.equal(tables.includes('events'), false);
    await migrateToLatest(db);
    assert.deepEqual(await listEvents(db, 'cam1', 0, T0 + 100 * S), []);
    await insertEvent(db, event(1, 2));
    assert.equal((await listEvents(db, 'cam1', 0, T0 + 100 * S)).length, 1);
  });
});
