import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameSecret } from './secret-compare.js';

describe('sameSecret', () => {
  const cases: Array<[string, string | undefined, string | undefined, boolean]> = [
    ['the same key', 'secret-key-1', 'secret-key-1', true],
    ['a different key of the same length', 'secret-key-2', 'secret-key-1', false],
    ['a prefix of the key', 'secret', 'secret-key-1', false],
    ['a longer key', 'secret-key-1x', 'secret-key-1', false],
    ['no key given', undefined, 'secret-key-1', false],
    ['nothing expected', 'anything', undefined, false],
    ['an empty key on both sides', '', '', false],
    ['a key differing in case', 'Secret-key-1', 'secret-key-1', false],
  ];
  for (const [name, given, expected, result] of cases) {
    it(`${result ? 'accepts' : 'refuses'} ${name}`, () => assert.equal(sameSecret(given, expected), result));
  }
});
