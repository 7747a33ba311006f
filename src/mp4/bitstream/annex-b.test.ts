import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  annexBToLengthPrefixed,
  isAnnexB,
  lengthPrefixedToAnnexB,
  splitAnnexB,
  splitLengthPrefixed,
} from './annex-b.js';
import { unescapeRbsp } from './bit-reader.js';

const b = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);
const list = (units: Uint8Array[]): number[][] => units.map((u) => [...u]);

describe('isAnnexB', () => {
  const cases: Array<[string, Uint8Array, boolean]> = [
    ['a 4-byte start code', b(0, 0, 0, 1, 103), true],
    ['a 3-byte start code', b(0, 0, 1, 103), true],
    ['a length prefix', b(0, 0, 0, 2, 103, 66), false],
    ['an avcC record', b(1, 100, 0, 31), false],
    ['too short', b(0, 0), false],
  ];
  for (const [name, data, expected] of cases)
    it(`says ${expected} for ${name}`, () => assert.equal(isAnnexB(data), expected));
});

describe('splitAnnexB', () => {
  const cases: Array<[string, Uint8Array, number[][]]> = [
    [
      'mixed 3- and 4-byte start codes',
      b(0, 0, 0, 1, 9, 240, 0, 0, 1, 103, 1, 2, 0, 0, 0, 1, 101, 7),
      [
        [9, 240],
        [103, 1, 2],
        [101, 7],
      ],
    ],
    ['trailing zero bytes', b(0, 0, 1, 6, 5, 0, 0, 0, 0, 1, 101, 0, 0), [[6, 5], [101]]],
    ['escaped zeros inside a unit', b(0, 0, 1, 101, 0, 0, 3, 1, 9), [[101, 0, 0, 3, 1, 9]]],
    ['no start code at all', b(1, 2, 3), []],
    ['empty units between start codes', b(0, 0, 1, 0, 0, 1, 103), [[103]]],
  ];
  for (const [name, data, expected] of cases)
    it(`splits ${name}`, () => assert.deepEqual(list(splitAnnexB(data)), expected));
});

describe('length-prefixed conversion', () => {
  it('replaces each start code with the unit length, and back', () => {
    const annexB = b(0, 0, 0, 1, 103, 66, 0, 0, 1, 104, 0, 0, 0, 1, 101, 1, 2, 3);
    const mp4 = annexBToLengthPrefixed(annexB);
    assert.deepEqual([...mp4], [0, 0, 0, 2, 103, 66, 0, 0, 0, 1, 104, 0, 0, 0, 4, 101, 1, 2, 3]);
    assert.deepEqual(list(splitLengthPrefixed(mp4)), [[103, 66], [104], [101, 1, 2, 3]]);
    assert.deepEqual(
      [...lengthPrefixedToAnnexB(mp4)],
      [0, 0, 0, 1, 103, 66, 0, 0, 0, 1, 104, 0, 0, 0, 1, 101, 1, 2, 3],
    );
  });

  it('refuses a length that runs past the sample', () => {
    assert.throws(() => splitLengthPrefixed(b(0, 0, 0, 9, 101)), { code: 'MEDIA_INVALID' });
  });
});

describe('unescapeRbsp', () => {
  const cases: Array<[Uint8Array, number[]]> = [
    [b(1, 0, 0, 3, 1), [1, 0, 0, 1]],
    [b(0, 0, 3, 0, 0, 3), [0, 0, 0, 0]],
    [b(0, 3, 0), [0, 3, 0]],
    [b(0, 0, 0, 3, 2), [0, 0, 0, 2]],
  ];
  for (const [input, expected] of cases) {
    it(`drops the emulation-prevention bytes of ${[...input].join(' ')}`, () =>
      assert.deepEqual([...unescapeRbsp(input)], expected));
  }
});
