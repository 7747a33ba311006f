import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBelow, isWithin } from './path-within.js';

describe('isWithin / isBelow', () => {
  it('takes the root itself as within but not below', () => {
    assert.equal(isWithin('/data', '/data'), true);
    assert.equal(isBelow('/data', '/data'), false);
  });

  it('takes paths under the root, names starting with dots included', () => {
    assert.equal(isBelow('/data', '/data/cam/2026'), true);
    assert.equal(isBelow('/data', '/data/..cam'), true);
  });

  it('refuses the parent, siblings sharing a prefix and other trees', () => {
    for (const path of ['/', '/dat', '/data-old/x', '/etc/passwd']) {
      assert.equal(isWithin('/data', path), false, path);
    }
  });
});
