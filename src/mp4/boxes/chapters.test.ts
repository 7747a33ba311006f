import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildUdta, readUdta } from './udta.js';

describe('udta chapters (chpl) and date', () => {
  it('round-trips chapters, title, date and comment together', () => {
    const fields = {
      title: 'Gate',
      comment: 'Vigil export',
      date: '2026-01-31T12:00:05.520Z',
      chapters: [
        { startUs: 0, title: '2026-01-31 13:00:05' },
        { startUs: 2_000_000, title: '2026-01-31 13:00:10' },
      ],
    };
    assert.deepEqual(readUdta(buildUdta(fields)), fields);
  });

  it('cuts a title longer than 255 bytes at a character boundary', () => {
    const title = 'é'.repeat(200); // 400 bytes of UTF-8
    const read = readUdta(buildUdta({ chapters: [{ startUs: 0, title }] }));
    assert.equal(read.chapters?.[0]?.title, 'é'.repeat(127));
  });
});
