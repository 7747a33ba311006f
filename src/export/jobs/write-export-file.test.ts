import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LocalSegmentReader } from '../../archive/segment-reader.js';
import { isVigilError } from '../../errors.js';
import { readVirtualFile } from '../virtual-file.js';
import { writeExportFile, type WriteProgress } from './write-export-file.js';

async function withSegment(body: (dir: string, segment: Buffer) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-write-'));
  try {
    const segment = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(join(dir, 'seg.mp4'), segment);
    await body(dir, segment);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function fileOver(dir: string, segment: Buffer) {
  const header = Buffer.from('header');
  return {
    header,
    vfile: readVirtualFile(
      {
        contentType: 'video/mp4',
        sizeBytes: header.length + segment.length,
        parts: [
          { kind: 'bytes', data: header },
          { kind: 'file', file: { root: dir, path: 'seg.mp4' }, offset: 0, length: segment.length },
        ],
      },
      new LocalSegmentReader(),
    ),
  };
}

test('an export file appears whole under its name, with progress up to its size, and no part file left', async () => {
  await withSegment(async (dir, segment) => {
    const { header, vfile } = fileOver(dir, segment);
    const progress: WriteProgress[] = [];
    const target = join(dir, 'out', 'cam (2026-01-31).mp4');
    const { bytes } = await writeExportFile(vfile, target, new AbortController().signal, (p) => progress.push(p));
    assert.equal(bytes, vfile.sizeBytes);
    assert.deepEqual(await readFile(target), Buffer.concat([header, segment]));
    assert.deepEqual(progress.at(-1), { bytesDone: vfile.sizeBytes, bytesTotal: vfile.sizeBytes });
    assert.ok(progress.every((p, i) => i === 0 || p.bytesDone > progress[i - 1]!.bytesDone));
    assert.deepEqual(await readdir(join(dir, 'out')), ['cam (2026-01-31).mp4']);
  });
});

test('an existing file is never overwritten, and a canceled write leaves nothing behind', async () => {
  await withSegment(async (dir, segment) => {
    const { vfile } = fileOver(dir, segment);
    const target = join(dir, 'taken.mp4');
    await writeFile(target, 'keep me');
    await assert.rejects(
      writeExportFile(vfile, target, new AbortController().signal, () => undefined),
      (e) => isVigilError(e, 'CONFLICT'),
    );
    assert.equal(await readFile(target, 'utf8'), 'keep me');

    const abort = new AbortController();
    const canceled = join(dir, 'canceled.mp4');
    await assert.rejects(
      writeExportFile(vfile, canceled, abort.signal, (p) => {
        if (p.bytesDone > 1024 * 1024) abort.abort();
      }),
      { name: 'AbortError' },
    );
    assert.deepEqual((await readdir(dir)).sort(), ['seg.mp4', 'taken.mp4']);
  });
});
