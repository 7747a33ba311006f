import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRangeHeader } from './http-range.js';

test('single byte ranges, suffixes and open ends map to [start, end)', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-99', 1000), { kind: 'partial', start: 0, end: 100 });
  assert.deepEqual(parseRangeHeader('bytes=900-', 1000), { kind: 'partial', start: 900, end: 1000 });
  assert.deepEqual(parseRangeHeader('bytes=-10', 1000), { kind: 'partial', start: 990, end: 1000 });
  assert.deepEqual(parseRangeHeader('bytes=-5000', 1000), { kind: 'partial', start: 0, end: 1000 });
  assert.deepEqual(parseRangeHeader('bytes=990-5000', 1000), { kind: 'partial', start: 990, end: 1000 });
});

test('ranges outside the body are unsatisfiable; what is not one bytes range gets the whole body', () => {
  assert.deepEqual(parseRangeHeader('bytes=1000-', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRangeHeader('bytes=-0', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRangeHeader(undefined, 1000), { kind: 'whole' });
  assert.deepEqual(parseRangeHeader('bytes=0-1,5-6', 1000), { kind: 'whole' });
  assert.deepEqual(parseRangeHeader('items=0-1', 1000), { kind: 'whole' });
  assert.deepEqual(parseRangeHeader('bytes=50-10', 1000), { kind: 'whole' });
});
