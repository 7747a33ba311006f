import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteWriter } from './byte-writer.js';
import { writeMfhd, writeTfdt, writeTfhd, writeTrun } from './boxes/fragment.js';
import type { TfhdFields, TrunFields } from './boxes/fragment.js';
import { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC } from './flags.js';
import { buildFragment, readFragment, writeMdatHeader } from './fragment.js';
import { scanBoxes } from './scan.js';
import type { SampleInfo, TrackDefaults } from './types.js';

function payload(size: number, fill: number): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

const video: SampleInfo[] = [
  { durationTicks: 512, sizeBytes: 5, isSync: true, compositionOffsetTicks: 1024 },
  { durationTicks: 512, sizeBytes: 3, isSync: false, compositionOffsetTicks: -512 },
];
const audio: SampleInfo[] = [{ durationTicks: 1024, sizeBytes: 4, isSync: true, compositionOffsetTicks: 0 }];

describe('buildFragment', () => {
  const runs = [
    { trackId: 1, baseMediaDecodeTime: 2 ** 40, samples: video, payloads: [payload(5, 1), payload(3, 2)] },
    { trackId: 2, baseMediaDecodeTime: 48000, samples: audio, payloads: [payload(4, 3)] },
  ];

  it('reads back as the runs it was built from', () => {
    const { moof } = buildFragment(9, runs);
    const info = readFragment(moof);
    assert.equal(info.sequenceNumber, 9);
    assert.deepEqual(
      info.runs.map(({ dataOffset: _d, ...rest }) => rest),
      runs.map(({ payloads: _p, ...rest }) => rest),
    );
  });

  it('hands back the mdat as a header and the payloads themselves, uncopied', () => {
    const { mdatChunks } = buildFragment(1, runs);
    assert.equal(mdatChunks.length, 4);
    assert.deepEqual([...mdatChunks[0]!], [0, 0, 0, 20, ...Buffer.from('mdat')]);
    assert.equal(mdatChunks[1], runs[0]!.payloads[0]);
    assert.equal(mdatChunks[3], runs[1]!.payloads[0]);
  });

  it('points each run at its payload bytes, counted from the start of the moof', () => {
    const { moof, mdatChunks } = buildFragment(1, runs);
    const file = Buffer.concat([moof, ...mdatChunks]);
    const info = readFragment(moof);
    assert.deepEqual(
      [...file.subarray(info.runs[0]!.dataOffset, info.runs[0]!.dataOffset + 8)],
      [1, 1, 1, 1, 1, 2, 2, 2],
    );
    assert.deepEqual([...file.subarray(info.runs[1]!.dataOffset, info.runs[1]!.dataOffset + 4)], [3, 3, 3, 3]);
    assert.deepEqual(
      scanBoxes(file).map((b) => b.type),
      ['moof', 'mdat'],
    );
  });

  it('marks sync and non-sync samples with the named sample flags', () => {
    const { moof } = buildFragment(1, runs);
    const bytes = Buffer.from(moof);
    assert.ok(bytes.includes(Buffer.from([0, 0, 0, 5, ...u32(SAMPLE_FLAGS_SYNC)])));
    assert.ok(bytes.includes(Buffer.from([0, 0, 0, 3, ...u32(SAMPLE_FLAGS_NON_SYNC)])));
  });

  it('refuses a sample whose size disagrees with its payload', () => {
    assert.throws(
      () => buildFragment(1, [{ trackId: 1, baseMediaDecodeTime: 0, samples: audio, payloads: [payload(3, 0)] }]),
      /runs\[0\]\.samples\[0\]\.sizeBytes: says 4 but the payload has 3 bytes/,
    );
  });
});

function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

describe('writeMdatHeader', () => {
  it('uses a 32-bit size while the box fits', () => {
    assert.deepEqual([...writeMdatHeader(100)], [0, 0, 0, 108, ...Buffer.from('mdat')]);
  });

  it('switches to a 64-bit largesize past 4 GiB', () => {
    const header = writeMdatHeader(2 ** 32);
    assert.equal(header.length, 16);
    const box = scanBoxes(header)[0]!;
    assert.deepEqual(box, { type: 'mdat', offset: 0, size: 2 ** 32 + 16, headerSize: 16 });
  });
});

/** A moof written field by field, to read what other muxers write. */
function moofOf(trafs: Array<{ tfhd: TfhdFields; tfdt: number; truns: TrunFields[] }>): Uint8Array {
  const w = new ByteWriter();
  w.box('moof', () => {
    writeMfhd(w, 3);
    for (const t of trafs) {
      w.box('traf', () => {
        writeTfhd(w, t.tfhd);
        writeTfdt(w, t.tfdt);
        for (const r of t.truns) writeTrun(w, r);
      });
    }
  });
  return w.finish();
}

describe('readFragment with defaults', () => {
  const trex: TrackDefaults[] = [
    {
      trackId: 1,
      defaultSampleDescriptionIndex: 1,
      defaultSampleDuration: 40,
      defaultSampleSize: 0,
      defaultSampleFlags: SAMPLE_FLAGS_NON_SYNC,
    },
  ];

  it('takes missing fields from trex and honours first-sample flags', () => {
    const moof = moofOf([
      {
        tfhd: { trackId: 1, defaultBaseIsMoof: true },
        tfdt: 400,
        truns: [
          {
            version: 0,
            dataOffset: 200,
            firstSampleFlags: SAMPLE_FLAGS_SYNC,
            samples: [{ sampleSize: 10 }, { sampleSize: 10 }, { sampleSize: 7 }],
          },
        ],
      },
    ]);
    const run = readFragment(moof, trex).runs[0]!;
    assert.equal(run.dataOffset, 200);
    assert.equal(run.baseMediaDecodeTime, 400);
    assert.deepEqual(
      run.samples.map((s) => [s.durationTicks, s.sizeBytes, s.isSync]),
      [
        [40, 10, true],
        [40, 10, false],
        [40, 7, false],
      ],
    );
  });

  it('continues a trun without a data offset where the previous one ended, and advances decode time', () => {
    const moof = moofOf([
      {
        tfhd: { trackId: 1, defaultSampleDuration: 10, defaultSampleSize: 100, defaultBaseIsMoof: true },
        tfdt: 0,
        truns: [
          { version: 0, dataOffset: 64, samples: [{}, {}] },
          { version: 0, samples: [{}] },
        ],
      },
    ]);
    const runs = readFragment(moof, trex).runs;
    assert.deepEqual(
      runs.map((r) => [r.dataOffset, r.baseMediaDecodeTime, r.samples.length]),
      [
        [64, 0, 2],
        [264, 20, 1],
      ],
    );
  });

  it('turns an explicit base-data-offset into an offset from the moof', () => {
    const moof = moofOf([
      {
        tfhd: { trackId: 1, baseDataOffset: 5000, defaultSampleSize: 1 },
        tfdt: 0,
        truns: [{ version: 0, dataOffset: 8, samples: [{}] }],
      },
    ]);
    assert.equal(readFragment(moof, trex, 4000).runs[0]!.dataOffset, 1008);
  });

  it('refuses a buffer that is not a moof', () => {
    assert.throws(() => readFragment(writeMdatHeader(0)), { code: 'MEDIA_INVALID' });
  });
});
