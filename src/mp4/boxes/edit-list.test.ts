import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { ELST_EMPTY_MEDIA_TIME } from '../flags.js';
import { boxBody, childBoxes, scanBoxes } from '../scan.js';
import { type ElstEntry, readElst, writeEdts } from './edit-list.js';

function roundTrip(entries: ElstEntry[]): { version: number; entries: ElstEntry[]; size: number } {
  const w = new ByteWriter();
  writeEdts(w, entries);
  const bytes = w.finish();
  const edts = scanBoxes(bytes)[0]!;
  const elst = childBoxes(bytes, edts)[0]!;
  assert.equal(edts.size, bytes.length);
  assert.equal(elst.type, 'elst');
  const body = boxBody(bytes, elst);
  return { version: body[0]!, entries: readElst(new ByteReader(body, 'elst')), size: elst.size };
}

describe('edts/elst', () => {
  it('round-trips a pre-roll edit as version 0', () => {
    const r = roundTrip([{ segmentDuration: 8000, mediaTime: 46_800 }]);
    assert.equal(r.version, 0);
    assert.equal(r.size, 8 + 4 + 4 + 12);
    assert.deepEqual(r.entries, [{ segmentDuration: 8000, mediaTime: 46_800 }]);
  });

  it('round-trips empty edits (media_time −1) between pieces', () => {
    const entries = [
      { segmentDuration: 2000, mediaTime: 3600 },
      { segmentDuration: 6000, mediaTime: ELST_EMPTY_MEDIA_TIME },
      { segmentDuration: 2000, mediaTime: 183_600 },
    ];
    assert.deepEqual(roundTrip(entries).entries, entries);
  });

  it('switches to version 1 for values past 32 bits, keeping −1', () => {
    const entries = [
      { segmentDuration: 5_000_000_000, mediaTime: 3_000_000_000 },
      { segmentDuration: 10, mediaTime: ELST_EMPTY_MEDIA_TIME },
    ];
    const r = roundTrip(entries);
    assert.equal(r.version, 1);
    assert.deepEqual(r.entries, entries);
  });
});
