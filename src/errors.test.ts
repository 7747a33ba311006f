import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorTable, invalidArgument, VigilError } from './errors.js';

test('every error code has its row in docs/errors.md with the same status', () => {
  const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, { status }] of Object.entries(errorTable)) {
    assert.match(
      docs,
      new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`),
      `${code} is missing from docs/errors.md`,
    );
  }
});

test('a VigilError serializes to the API envelope with its field', () => {
  const err = invalidArgument('dvr.expiration', 'expected seconds >= 0, got -1');
  assert.equal(err.status, 400);
  assert.deepEqual(err.toJSON(), {
    error: {
      code: 'INVALID_ARGUMENT',
      message: 'dvr.expiration: expected seconds >= 0, got -1',
      field: 'dvr.expiration',
    },
  });
  assert.deepEqual(new VigilError('NOT_FOUND', 'no such lock').toJSON(), {
    error: { code: 'NOT_FOUND', message: 'no such lock' },
  });
});
