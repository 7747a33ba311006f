import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { confineToExportRoot, pathExists } from './confine-path.js';
import { prepareExportJob, prepareLibraryExportJob } from './prepare-job.js';
import { assertRefusedAsync, NOW_S, testContext } from './testing.js';

let tmp: string;
let root: string;
let outside: string;

before(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'vigil-export-request-')));
  root = join(tmp, 'exports');
  outside = join(tmp, 'outside');
  await mkdir(join(root, 'incidents'), { recursive: true });
  await mkdir(outside);
  await symlink(outside, join(root, 'escape'));
  await symlink(join(root, 'incidents'), join(root, 'inside-link'));
  await symlink(join(outside, 'nothing-here'), join(root, 'dangling.mp4'));
  await writeFile(join(root, 'taken.mp4'), 'x');
  await writeFile(join(root, 'taken (1).mp4'), 'x');
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const request = (extra: object = {}) => ({ stream: 'cam1', start: NOW_S - 600, duration: 30, ...extra });

test('a symlink that leads out of an export root is refused; one that stays inside is followed', async () => {
  const ctx = testContext({ exportRoots: [root] });
  await assertRefusedAsync(prepareExportJob(request({ file_path: 'escape' }), ctx), 'file_path', [
    /leads outside the export root .* through a symbolic link/,
  ]);
  await assertRefusedAsync(prepareExportJob(request({ file_path: 'escape/deeper/x.mp4' }), ctx), 'file_path');
  const spec = await prepareExportJob(request({ file_path: 'inside-link/new/clip.mp4' }), ctx);
  assert.equal(spec.filePath, join(root, 'inside-link', 'new', 'clip.mp4'));
  await confineToExportRoot(root, join(root, 'not', 'yet', 'there'));
  await confineToExportRoot(root, root);
  await assertRefusedAsync(prepareExportJob(request({ file_path: 'taken.mp4/below' }), ctx), 'file_path', [
    /taken.mp4 is a file, not a directory/,
  ]);
  await symlink(join(outside, 'gone'), join(root, 'dangling-dir'));
  await assertRefusedAsync(prepareExportJob(request({ file_path: 'dangling-dir/x.mp4' }), ctx), 'file_path', [
    /dangling-dir is a symbolic link to something that does not exist/,
  ]);
});

test('existing files are never overwritten: a free numbered name is picked on disk', async () => {
  const ctx = testContext({ exportRoots: [root] });
  const spec = await prepareExportJob(request({ file_name: 'taken' }), ctx);
  assert.equal(spec.fileName, 'taken (2).mp4');
  assert.equal(spec.filePath, join(root, 'taken (2).mp4'));
  assert.equal(spec.exportRoot, root);
  const dangling = await prepareExportJob(request({ file_name: 'dangling.mp4' }), ctx);
  assert.equal(dangling.fileName, 'dangling (1).mp4', 'a dangling link is not written through');
  assert.equal(await pathExists(join(root, 'taken.mp4')), true);
  assert.equal(await pathExists(join(root, 'taken.mp4', 'below')), false);
});

test('the existence check is injectable, so queued jobs can reserve their names', async () => {
  const reserved = new Set(['/srv/exports/clip.mp4', '/srv/exports/clip (1).mp4']);
  const confined: string[] = [];
  const io = {
    confine: async (r: string, p: string) => void confined.push(`${r} ${p}`),
    isTaken: (p: string) => reserved.has(p),
  };
  const spec = await prepareExportJob(request({ file_name: 'clip' }), testContext(), io);
  assert.equal(spec.filePath, '/srv/exports/clip (2).mp4');
  assert.deepEqual(confined, ['/srv/exports /srv/exports']);
});

test('the library face gives the same spec as the wire face', async () => {
  const io = { confine: async () => {}, isTaken: () => false };
  const wire = await prepareExportJob(
    {
      stream: 'cam1',
      start: NOW_S - 600,
      end: NOW_S - 300,
      prefer_substream: true,
      file_path: 'incidents',
      tz: 'Europe/Paris',
      task_id: 'abc',
      options: { video_codec: 'H264', video_bitrate: 999, audio_codec: 'aac', audio_bitrate: 128, watermark_align: 0 },
    },
    testContext(),
    io,
  );
  const library = await prepareLibraryExportJob(
    {
      stream: 'cam1',
      dtStart: new Date((NOW_S - 600) * 1000),
      dtEnd: new Date((NOW_S - 300) * 1000),
      preferSubstream: true,
      filePath: 'incidents',
      tz: 'Europe/Paris',
      taskGuid: 'abc',
      options: { videoCodec: 'H264', videoBitrate: 999, audioCodec: 'aac', audioBitrate: 128, watermarkAlign: 0 },
    },
    testContext(),
    io,
  );
  assert.deepEqual(library, wire);
  assert.equal(
    wire.filePath,
    '/srv/exports/incidents/Front door (2026-01-31 12.50.00 - 2026-01-31 12.55.00) (sub).mp4',
  );
});

test('library errors name the wire field; snake_case option names point to the camelCase ones', async () => {
  const io = { confine: async () => {}, isTaken: () => false };
  const ctx = testContext();
  await assertRefusedAsync(
    prepareLibraryExportJob({ stream: 'cam1', dtStart: new Date(Number.NaN) }, ctx, io),
    'start',
    [/"Invalid Date"/],
  );
  await assertRefusedAsync(
    prepareLibraryExportJob(
      { stream: 'cam1', dtStart: NOW_S - 60, options: { videoCodec: 'h264', videoResolution: '1x1' } },
      ctx,
      io,
    ),
    'options.video_resolution',
  );
  await assertRefusedAsync(
    prepareLibraryExportJob(
      { stream: 'cam1', dtStart: NOW_S - 60, options: { video_codec: 'h264' } as unknown as object },
      ctx,
      io,
    ),
    'options.video_codec',
    [/the library names it videoCodec/],
    'UNKNOWN_FIELD',
  );
});
