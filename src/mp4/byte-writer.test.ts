import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { scanBoxes } from './scan.js';

describe('ByteWriter', () => {
  it('writes big-endian fields of every width', () => {
    const w = new ByteWriter(1);
    w.u8(1);
    w.u16(515);
    w.u24(263430);
    w.u32(4294967295);
    w.i32(-2);
    w.u64(2 ** 53 - 1);
    w.fourcc('\u00a9nam');
    assert.equal(
      Buffer.from(w.finish()).toString('hex'),
      '01' + '0203' + '040506' + 'ffffffff' + 'fffffffe' + '001fffffffffffff' + 'a96e616d',
    );
  });

  it('refuses a u64 it cannot represent exactly', () => {
    const w = new ByteWriter();
    assert.throws(() => w.u64(2 ** 53), /u64/);
    assert.throws(() => w.u64(-1), /u64/);
  });

  it('back-patches nested box sizes', () => {
    const w = new ByteWriter(4);
    w.box('moov', () => {
      w.fullBox('mvhd', 1, 2, () => w.zeros(100));
      w.box('trak', () => undefined);
    });
    const bytes = w.finish();
    assert.deepEqual(scanBoxes(bytes), [{ type: 'moov', offset: 0, size: 128, headerSize: 8 }]);
    assert.deepEqual(
      scanBoxes(bytes, 8).map((b) => [b.type, b.size]),
      [
        ['mvhd', 112],
        ['trak', 8],
      ],
    );
    assert.deepEqual([...bytes.subarray(16, 20)], [1, 0, 0, 2]);
  });
});

describe('ByteReader', () => {
  it('reads back what the writer wrote, and names the box when it runs out', () => {
    const w = new ByteWriter();
    w.u16(7);
    w.i32(-9);
    w.u64(2 ** 40);
    const r = new ByteReader(w.finish(), 'test');
    assert.equal(r.u16(), 7);
    assert.equal(r.i32(), -9);
    assert.equal(r.u64(), 2 ** 40);
    assert.throws(() => r.u8(), { code: 'MEDIA_INVALID', message: /test: truncated/ });
  });
});

describe('scanBoxes', () => {
  function box(type: string, bodyBytes: number): Uint8Array {
    const w = new ByteWriter();
    w.box(type, () => w.zeros(bodyBytes));
    return w.finish();
  }

  it('reports a box that runs past the end with its declared size (a torn tail)', () => {
    const file = Buffer.concat([box('moof', 10), box('mdat', 100)]).subarray(0, 60);
    assert.deepEqual(scanBoxes(file), [
      { type: 'moof', offset: 0, size: 18, headerSize: 8 },
      { type: 'mdat', offset: 18, size: 108, headerSize: 8 },
    ]);
  });

  it('reads size 0 as "to the end" and size 1 as a largesize', () => {
    const toEnd = Buffer.from([0, 0, 0, 0, ...Buffer.from('mdat'), 1, 2, 3]);
    assert.deepEqual(scanBoxes(toEnd), [{ type: 'mdat', offset: 0, size: 11, headerSize: 8 }]);
    const large = Buffer.from([0, 0, 0, 1, ...Buffer.from('free'), 0, 0, 0, 0, 0, 0, 0, 17, 9]);
    assert.deepEqual(scanBoxes(large), [{ type: 'free', offset: 0, size: 17, headerSize: 16 }]);
  });

  it('stops before a header cut short, and refuses a size smaller than its header', () => {
    assert.deepEqual(scanBoxes(Buffer.concat([box('ftyp', 4), Buffer.from([0, 0, 0])])).length, 1);
    assert.throws(() => scanBoxes(Buffer.from([0, 0, 0, 4, ...Buffer.from('free')])), { code: 'MEDIA_INVALID' });
  });

  it('scans only the given range', () => {
    const file = Buffer.concat([box('ftyp', 4), box('moov', 0), box('mdat', 2)]);
    assert.deepEqual(
      scanBoxes(file, 12, 20).map((b) => b.type),
      ['moov'],
    );
  });
});
