import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { boxBody, scanBoxes } from '../scan.js';
import { readMfhd, readTfdt, readTfhd, readTrun, writeMfhd, writeTfdt, writeTfhd, writeTrun } from './fragment.js';
import type { TfhdFields, TrunFields } from './fragment.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function written(write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  write(w);
  return w.finish();
}

/** Reads back the body of the single box in `bytes`. */
function bodyReader(bytes: Uint8Array): ByteReader {
  const box = scanBoxes(bytes)[0]!;
  assert.equal(box.size, bytes.length, 'the box size covers exactly what was written');
  return new ByteReader(boxBody(bytes, box));
}

describe('tfhd', () => {
  it('writes the golden bytes of a default-base-is-moof header', () => {
    const bytes = written((w) => writeTfhd(w, { trackId: 1, defaultBaseIsMoof: true }));
    assert.equal(hex(bytes), '00000010' + '74666864' + '00020000' + '00000001');
  });

  const cases: Array<[string, TfhdFields]> = [
    ['only a track id', { trackId: 7 }],
    [
      'every optional field',
      {
        trackId: 2,
        baseDataOffset: 2 ** 40,
        sampleDescriptionIndex: 1,
        defaultSampleDuration: 512,
        defaultSampleSize: 1000,
        defaultSampleFlags: 65536,
        durationIsEmpty: true,
      },
    ],
    ['defaults with default-base-is-moof', { trackId: 1, defaultSampleDuration: 1024, defaultBaseIsMoof: true }],
  ];
  for (const [name, fields] of cases) {
    it(`round-trips ${name}`, () => {
      assert.deepEqual(readTfhd(bodyReader(written((w) => writeTfhd(w, fields)))), fields);
    });
  }
});

describe('trun', () => {
  it('writes the golden bytes of a version 1 run with every per-sample field', () => {
    const bytes = written((w) =>
      writeTrun(w, {
        version: 1,
        dataOffset: 100,
        samples: [{ sampleDuration: 512, sampleSize: 3000, sampleFlags: 33554432, sampleCompositionTimeOffset: -1024 }],
      }),
    );
    assert.equal(
      hex(bytes),
      '00000024' +
        '7472756e' +
        '01000f01' +
        '00000001' +
        '00000064' +
        '00000200' +
        '00000bb8' +
        '02000000' +
        'fffffc00',
    );
  });

  const cases: Array<[string, TrunFields]> = [
    ['an empty run', { version: 0, samples: [] }],
    [
      'sizes only, with first-sample flags',
      {
        version: 0,
        firstSampleFlags: 33554432,
        samples: [{ sampleSize: 10 }, { sampleSize: 20 }],
      },
    ],
    [
      'negative composition offsets in version 1',
      {
        version: 1,
        dataOffset: 8,
        samples: [
          { sampleDuration: 1, sampleSize: 2, sampleFlags: 3, sampleCompositionTimeOffset: -5 },
          { sampleDuration: 1, sampleSize: 2, sampleFlags: 3, sampleCompositionTimeOffset: 7 },
        ],
      },
    ],
    [
      'unsigned composition offsets in version 0',
      {
        version: 0,
        samples: [{ sampleCompositionTimeOffset: 3000000000 }],
      },
    ],
  ];
  for (const [name, fields] of cases) {
    it(`round-trips ${name}`, () => {
      assert.deepEqual(readTrun(bodyReader(written((w) => writeTrun(w, fields)))), fields);
    });
  }

  it('refuses a run whose samples disagree on which fields they carry', () => {
    assert.throws(
      () => written((w) => writeTrun(w, { version: 1, samples: [{ sampleSize: 1 }, {}] })),
      /sampleSize is set on some samples but not all/,
    );
  });

  it('reports where the data offset sits so it can be patched', () => {
    const w = new ByteWriter();
    const at = writeTrun(w, { version: 1, dataOffset: 0, samples: [] });
    assert.equal(at, 16);
    w.patchI32(at!, 1234);
    assert.equal(readTrun(bodyReader(w.finish())).dataOffset, 1234);
  });
});

describe('mfhd and tfdt', () => {
  it('round-trips a sequence number', () => {
    assert.equal(readMfhd(bodyReader(written((w) => writeMfhd(w, 42)))), 42);
  });

  it('writes tfdt as version 1 and round-trips a decode time past 32 bits', () => {
    const bytes = written((w) => writeTfdt(w, 2 ** 33 + 5));
    assert.equal(bytes[8], 1);
    assert.equal(readTfdt(bodyReader(bytes)), 2 ** 33 + 5);
  });

  it('reads a version 0 tfdt', () => {
    const bytes = written((w) => w.fullBox('tfdt', 0, 0, () => w.u32(90000)));
    assert.equal(readTfdt(bodyReader(bytes)), 90000);
  });
});
