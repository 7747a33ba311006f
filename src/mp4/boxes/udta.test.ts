import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanBoxes } from '../scan.js';
import { buildUdta, readUdta } from './udta.js';

describe('buildUdta', () => {
  const cases = [
    { title: 'Gate camera', comment: 'exported 2024-01-01 12:00 UTC' },
    { title: 'Überwachung ©2024 — 東門' },
    { comment: 'only a comment' },
    {},
  ];
  for (const fields of cases) {
    it(`round-trips ${JSON.stringify(fields)}`, () => {
      const udta = buildUdta(fields);
      assert.equal(scanBoxes(udta)[0]?.size, udta.length);
      assert.deepEqual(readUdta(udta), fields);
    });
  }
});
