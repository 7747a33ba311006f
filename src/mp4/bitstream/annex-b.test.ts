import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  annexBToLengthPrefixed,
  annexBToLengthPrefixedInPlace,
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

  it('rewrites 4-byte start codes in place, without copying', () => {
    const annexB = b(0, 0, 0, 1, 103, 66, 0, 0, 0, 1, 104, 0, 0, 0, 1, 101, 1, 2, 3);
    const out = annexBToLengthPrefixedInPlace(annexB);
    assert.equal(out, annexB, 'the same array comes back');
    assert.deepEqual([...out], [0, 0, 0, 2, 103, 66, 0, 0, 0, 1, 104, 0, 0, 0, 4, 101, 1, 2, 3]);
  });

  const copied: Array<[string, Uint8Array]> = [
    ['a 3-byte start code', b(0, 0, 0, 1, 103, 66, 0, 0, 1, 104)],
    ['trailing zero bytes', b(0, 0, 0, 1, 103, 66, 0, 0)],
    ['an extra zero before a start code', b(0, 0, 0, 1, 103, 0, 0, 0, 0, 1, 104)],
    ['a first start code of 3 bytes', b(0, 0, 1, 103, 66, 0, 0, 0, 1, 104)],
  ];
  for (const [name, data] of copied) {
    it(`converts into a new array and leaves the input alone with ${name}`, () => {
      const before = [...data];
      const out = annexBToLengthPrefixedInPlace(data);
      assert.notEqual(out, data);
      assert.deepEqual([...data], before);
      assert.deepEqual([...out], [...annexBToLengthPrefixed(Uint8Array.from(before))]);
    });
  }

  it('agrees with a byte-by-byte reference on random streams, in place or not', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const bytes: number[] = [];
      for (let u = 0, units = 1 + random(5); u < units; u++) {
        bytes.push(...(random(3) === 0 ? [0, 0, 1] : [0, 0, 0, 1]));
        // Mostly zeros and small values, so start-code look-alikes and zero runs are common.
        for (let i = 0, n = random(12); i < n; i++) bytes.push(random(4) === 0 ? random(256) : random(2));
      }
      const expected = referenceConvert(bytes);
      assert.deepEqual([...annexBToLengthPrefixed(Uint8Array.from(bytes))], expected, bytes.join(' '));
      assert.deepEqual([...annexBToLengthPrefixedInPlace(Uint8Array.from(bytes))], expected, bytes.join(' '));
      assert.deepEqual([...annexBToLengthPrefixedInPlace(Buffer.from(bytes))], expected, bytes.join(' '));
    }
  });

  it('refuses a length that runs past the sample', () => {
    assert.throws(() => splitLengthPrefixed(b(0, 0, 0, 9, 101)), { code: 'MEDIA_INVALID' });
  });
});

/** Start codes found one byte at a time; units trimmed of trailing zeros; empty units dropped. */
function referenceConvert(bytes: number[]): number[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      starts.push(i);
      i += 2;
    }
  }
  const out: number[] = [];
  starts.forEach((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! : bytes.length;
    while (end > s + 3 && bytes[end - 1] === 0) end--;
    const unit = bytes.slice(s + 3, end);
    if (unit.length > 0) out.push(0, 0, unit.length >> 8, unit.length & 0xff, ...unit);
  });
  return out;
}

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
