import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { checkInsideRootOnDisk, parseSegmentPath, resolveInsideRoot, segmentRelativePath } from './layout.js';
import { makeTempDir } from './testing/fixtures.js';

const pathCases = [
  {
    name: 'main stream, ms kept',
    stream: 'cam1',
    variant: 'main',
    startUs: Date.UTC(2026, 0, 31, 13, 28, 11, 42) * 1000 + 999,
    want: 'cam1/2026/01/31/13/20260131T132811.042Z.mp4',
  },
  {
    name: 'substream beside the main one',
    stream: 'cam1',
    variant: 'sub',
    startUs: Date.UTC(2026, 0, 31, 13, 28, 11, 42) * 1000,
    want: 'cam1/2026/01/31/13/20260131T132811.042Z.sub.mp4',
  },
  {
    name: 'midnight on New Year in UTC',
    stream: 'Yard_2-b',
    variant: 'main',
    startUs: Date.UTC(2027, 0, 1, 0, 0, 0, 0) * 1000,
    want: 'Yard_2-b/2027/01/01/00/20270101T000000.000Z.mp4',
  },
] as const;

describe('segmentRelativePath', () => {
  for (const c of pathCases) {
    it(`builds ${c.name}`, () => {
      assert.equal(segmentRelativePath(c.stream, c.variant, c.startUs), c.want);
    });
    it(`parses ${c.name} back`, () => {
      assert.deepEqual(parseSegmentPath(c.want), {
        stream: c.stream,
        variant: c.variant,
        startUs: Math.floor(c.startUs / 1000) * 1000,
      });
    });
  }

  for (const bad of ['../etc', 'a/b', '', 'x'.repeat(65), 'cam 1']) {
    it(`refuses stream name ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => segmentRelativePath(bad, 'main', 0),
        (e) => isVigilError(e, 'INVALID_ARGUMENT') && e.field === 'stream',
      );
    });
  }

  for (const other of [
    'cam1/2026/01/31/13/20260131T132811.042Z.mkv',
    'cam1/2026/01/31/14/20260131T132811.042Z.mp4',
    'cam1/2026/02/31/13/20260231T132811.042Z.mp4',
    'notes.mp4',
  ]) {
    it(`does not parse ${other} as a segment path`, () => {
      assert.equal(parseSegmentPath(other), undefined);
    });
  }
});

describe('resolveInsideRoot', () => {
  it('joins a relative path onto the root', () => {
    assert.equal(resolveInsideRoot('/archive', 'cam1/2026/a.mp4'), '/archive/cam1/2026/a.mp4');
  });
  for (const bad of ['../x.mp4', 'cam1/../../x.mp4', 'cam1/..', '/etc/passwd', '', 'a\0b', '.', 'cam1\\..\\..\\x']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => resolveInsideRoot('/archive', bad),
        (e) => isVigilError(e, 'INVALID_ARGUMENT') && e.field === 'path',
      );
    });
  }

  it('refuses a symlink that leads out of the root, on disk', async () => {
    const tmp = await makeTempDir();
    try {
      const root = join(tmp.dir, 'root');
      await mkdir(join(root, 'cam1'), { recursive: true });
      await mkdir(join(tmp.dir, 'outside'));
      await symlink(join(tmp.dir, 'outside'), join(root, 'evil'));
      await symlink(join(root, 'cam1'), join(root, 'alias'));
      assert.equal(await checkInsideRootOnDisk(root, 'cam1/new/a.mp4'), join(root, 'cam1/new/a.mp4'));
      assert.equal(await checkInsideRootOnDisk(root, 'alias/a.mp4'), join(root, 'alias/a.mp4'));
      await assert.rejects(checkInsideRootOnDisk(root, 'evil/a.mp4'), (e) => isVigilError(e, 'INVALID_ARGUMENT'));
      await assert.rejects(checkInsideRootOnDisk(root, 'evil/deeper/a.mp4'), (e) =>
        isVigilError(e, 'INVALID_ARGUMENT'),
      );
      await symlink(join(tmp.dir, 'nowhere'), join(root, 'dangling'));
      await assert.rejects(checkInsideRootOnDisk(root, 'dangling/a.mp4'), (e) => isVigilError(e, 'INVALID_ARGUMENT'));
    } finally {
      await tmp.cleanup();
    }
  });
});
