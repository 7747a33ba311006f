import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publishKeyMatches, queryValue } from './publish-key.js';

describe('publishKeyMatches', () => {
  const cases: Array<[string, string | undefined, string | undefined, boolean]> = [
    ['the same key', 'secret-key-1', 'secret-key-1', true],
    ['a different key of the same length', 'secret-key-2', 'secret-key-1', false],
    ['a prefix of the key', 'secret', 'secret-key-1', false],
    ['a longer key', 'secret-key-1x', 'secret-key-1', false],
    ['no key given', undefined, 'secret-key-1', false],
    ['a stream with no key', 'anything', undefined, false],
    ['an empty key on both sides', '', '', false],
    ['a key differing in case', 'Secret-key-1', 'secret-key-1', false],
  ];
  for (const [name, given, expected, result] of cases) {
    it(`${result ? 'accepts' : 'refuses'} ${name}`, () => assert.equal(publishKeyMatches(given, expected), result));
  }
});

describe('queryValue', () => {
  it('takes a single value and ignores a repeated or absent one', () => {
    assert.equal(queryValue({ key: 'a' }, 'key'), 'a');
    assert.equal(queryValue({ key: ['a', 'b'] }, 'key'), undefined);
    assert.equal(queryValue({}, 'key'), undefined);
  });
});
