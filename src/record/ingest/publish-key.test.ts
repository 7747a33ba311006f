import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queryValue } from './publish-key.js';

describe('queryValue', () => {
  it('takes a single value and ignores a repeated or absent one', () => {
    assert.equal(queryValue({ key: 'a' }, 'key'), 'a');
    assert.equal(queryValue({ key: ['a', 'b'] }, 'key'), undefined);
    assert.equal(queryValue({}, 'key'), undefined);
  });
});
