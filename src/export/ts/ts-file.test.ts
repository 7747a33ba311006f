import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVigilError } from '../../errors.js';
import { createTsFile, TsVirtualFile } from './ts-file.js';
import {
  aacConfig,
  collect,
  MemoryReader,
  renderAllUnits,
  syntheticSelection,
  videoConfig,
  type SyntheticTrack,
} from './ts-test-support.js';

function tracks(): SyntheticTrack[] {
  return [
    {
      config: videoConfig(),
      sizes: Array.from({ length: 50 }, (_, i) => (i % 25 === 0 ? 9000 : 30 + ((i * 131) % 2000))),
      sync: Array.from({ length: 50 }, (_, i) => i % 25 === 0),
      durationTicks: 3600,
    },
    { config: aacConfig, sizes: Array.from({ length: 94 }, (_, i) => 100 + ((i * 37) % 300)), durationTicks: 1024 },
  ];
}

test('the whole file is the units in order, sized as announced, typed video/mp2t', async () => {
  const t = tracks();
  const { selection, file } = syntheticSelection(t);
  const ts = createTsFile(selection, new MemoryReader(file));
  assert.equal(ts.contentType, 'video/mp2t');
  const whole = await collect(ts.read(0, ts.sizeBytes, new AbortController().signal));
  assert.equal(whole.length, ts.sizeBytes);
  assert.deepEqual(whole, renderAllUnits(t).ts);
});

test('any byte range equals the same slice of the whole file', async () => {
  const t = tracks();
  const { selection, file } = syntheticSelection(t);
  const ts = createTsFile(selection, new MemoryReader(file));
  const whole = renderAllUnits(t).ts;
  const n = ts.sizeBytes;
  const ranges: Array<[number, number]> = [
    [0, 1],
    [0, 188],
    [187, 189],
    [1000, 1001],
    [12_345, 23_456],
    [n - 1, n],
    [n - 500, n],
    [Math.floor(n / 3), Math.floor((2 * n) / 3)],
    [5, 5],
  ];
  for (const [a, b] of ranges) {
    const got = await collect(ts.read(a, b, new AbortController().signal));
    assert.deepEqual(got, whole.subarray(a, b), `bytes [${a}, ${b})`);
  }
});

test('served bytes split into generated (RAM) and payload (disk, or remote for a remote reader)', async () => {
  const t = tracks();
  const payloadBytes = t.reduce((n, x) => n + x.sizes.reduce((a, b) => a + b, 0), 0);
  const { selection, file } = syntheticSelection(t);
  const ts = createTsFile(selection, new MemoryReader(file));
  await collect(ts.read(0, ts.sizeBytes, new AbortController().signal));
  assert.deepEqual(ts.served, { fromRam: ts.sizeBytes - payloadBytes, fromDisk: payloadBytes, fromRemote: 0 });

  // Partial reads count what they yield, no more.
  const part = createTsFile(selection, new MemoryReader(file));
  await collect(part.read(100, 5000, new AbortController().signal));
  await collect(part.read(7000, 7001, new AbortController().signal));
  const s = part.served;
  assert.equal(s.fromRam + s.fromDisk, 4901);
  assert.ok(s.fromDisk > 0 && s.fromRam > 0);

  const remote = createTsFile(selection, new MemoryReader(file, 'remote'));
  await collect(remote.read(0, remote.sizeBytes, new AbortController().signal));
  assert.deepEqual(remote.served, { fromRam: ts.sizeBytes - payloadBytes, fromDisk: 0, fromRemote: payloadBytes });
});

test('payloads lying next to each other are read together', async () => {
  const { selection, file } = syntheticSelection(tracks());
  const reader = new MemoryReader(file);
  const ts = createTsFile(selection, reader);
  await collect(ts.read(0, ts.sizeBytes, new AbortController().signal));
  // The synthetic file holds all video samples, then all audio samples, back to back: the output
  // interleaves them, yet the whole (well under one read window) is one read.
  assert.equal(reader.calls, 1);
});

test('ranges outside the file are refused; an abort stops the reads', async () => {
  const { selection, file } = syntheticSelection(tracks());
  const ts = new TsVirtualFile(selection, new MemoryReader(file));
  for (const [a, b] of [
    [-1, 10],
    [10, 5],
    [0, ts.sizeBytes + 1],
    [0.5, 10],
  ] as const) {
    await assert.rejects(collect(ts.read(a, b, new AbortController().signal)), (e) =>
      isVigilError(e, 'RANGE_NOT_SATISFIABLE'),
    );
  }
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(collect(ts.read(0, ts.sizeBytes, controller.signal)), { name: 'AbortError' });
});
