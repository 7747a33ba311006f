/**
 * The library and CLI faces of export jobs against a real Vigil server
 * process: VideoExporter over HTTP and in this process, `vigil export` as a
 * user runs it (not a terminal), a bad option named by its flag, and a full
 * queue surfacing as a typed QUEUE_FULL error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/config-file.js';
import { isVigilError, VigilError } from '../../src/errors.js';
import { ExportStatus, openLocalExportJobs, VideoExporter } from '../../src/export/library/index.js';
import type { ExportStatus as State } from '../../src/export/library/index.js';
import { findFreePort } from '../helpers/free-port.js';
import { makeTestClip, probeCodecs, probeDurationSeconds } from '../helpers/media-check.js';
import { runVigilImport, writeImportConfig } from '../helpers/vigil-cli.js';
import { startVigilProcess, type VigilProcess } from '../helpers/vigil-process.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const START = new Date(Date.UTC(2026, 0, 31, 12, 0, 0));
const FROM = new Date(START.getTime() + 2_000);

let dir: string;
let dataDir: string;
let vigil: VigilProcess;

/** `vigil export …` in a child process (its stdio are pipes, not a terminal). */
async function vigilExport(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'export', ...args],
      { cwd: root, timeout: 120_000, env: { ...process.env, VIGIL_ADMIN_TOKEN: '', VIGIL_CONFIG: '', VIGIL_PORT: '' } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function recordStates(): { states: State[]; callback: (guid: string, state: State) => void } {
  const states: State[] = [];
  return { states, callback: (_guid, state) => states.push(state) };
}

async function assertTenSecondMp4(path: string): Promise<void> {
  assert.ok(existsSync(path), `${path} exists`);
  const seconds = await probeDurationSeconds(path);
  assert.ok(Math.abs(seconds - 10) <= 0.1, `duration ${seconds} s, expected 10`);
  assert.deepEqual(await probeCodecs(path), ['h264', 'aac']);
}

describe('export jobs: library and CLI', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-export-faces-'));
    dataDir = join(dir, 'data');
    const clip = join(dir, 'clip.mp4');
    await makeTestClip(clip, { seconds: 14 });
    const importConfig = writeImportConfig(join(dir, 'import.yaml'), dataDir, 4);
    await runVigilImport(importConfig, 'cam1', START.toISOString(), clip);
    vigil = await startVigilProcess({
      dataDir,
      port: await findFreePort(),
      // Two jobs at most: the third of three concurrent submits is refused.
      extraConfig: 'timezone: UTC\nexports:\n  queue_max_len: 2\n  transcode_concurrency: 1\n',
    });
  });

  after(async () => {
    await vigil?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('VideoExporter against the server URL: callback in_queue → exporting → success, a 10 s file', async () => {
    const { states, callback } = recordStates();
    const progress: number[] = [];
    const ve = new VideoExporter({
      server: { url: vigil.baseUrl, token: vigil.token },
      callback,
      onProgress: (_guid, _step, percent) => progress.push(percent),
    });
    try {
      const { taskGuid, filePath } = await ve.export('cam1', FROM, { duration: 10 });
      const done = await ve.whenFinished(taskGuid);
      assert.equal(done.state, ExportStatus.success, JSON.stringify(done.error));
      assert.equal(ExportStatus.codeOf(done.state), 2);
      assert.equal(done.filePath, filePath);
      assert.deepEqual(states, [ExportStatus.inQueue, ExportStatus.exporting, ExportStatus.success]);
      assert.deepEqual(
        progress,
        [...progress].sort((a, b) => a - b),
        'progress never goes back',
      );
      await assertTenSecondMp4(filePath);
      // Auto-removal (success is in cancelTaskWithStates by default); the file stays.
      assert.equal(await ve.task(taskGuid), undefined);
      assert.ok(existsSync(filePath));
    } finally {
      await ve.close();
    }
  });

  it('VideoExporter in this process (the archive on disk, a private queue) does the same', async () => {
    const local = await openLocalExportJobs(loadConfig({ file: join(dataDir, 'vigil.yaml'), env: {} }));
    const { states, callback } = recordStates();
    const ve = new VideoExporter({ jobs: local.jobs, callback, cancelTaskWithStates: [] });
    try {
      const { taskGuid, filePath } = await ve.export('cam1', FROM.toISOString(), {
        dtEnd: FROM.getTime() / 1000 + 10,
      });
      const done = await ve.whenFinished(taskGuid);
      assert.equal(done.state, 'success', JSON.stringify(done.error));
      assert.deepEqual(states, ['in_queue', 'exporting', 'success']);
      await assertTenSecondMp4(filePath);
      const listed = await ve.tasks();
      assert.deepEqual(
        listed.map((t) => [t.taskGuid, t.state, t.stateCode]),
        [[taskGuid, 'success', 2]],
      );
    } finally {
      await ve.close();
      await local.close();
    }
  });

  it('vigil export (not a terminal): progress lines, the file path on stdout, exit 0', async () => {
    const args = ['--stream', 'cam1', '--from', FROM.toISOString(), '--duration', '10'];
    const res = await vigilExport([...args, '--server', vigil.baseUrl, '--token', vigil.token]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /export: (preparing|copying) \d+%/);
    assert.doesNotMatch(res.stderr, /\r/, 'no terminal redraws in a pipe');
    assert.match(res.stderr, /success in/);
    const path = res.stdout.trim().split('\n').at(-1) ?? '';
    await assertTenSecondMp4(path);
  });

  it('vigil export --config exports from the archive on disk without the server', async () => {
    const args = ['--stream', 'cam1', '--from', FROM.toISOString(), '--duration', '10'];
    const res = await vigilExport([...args, '--config', join(dataDir, 'vigil.yaml')]);
    assert.equal(res.code, 0, res.stderr);
    await assertTenSecondMp4(res.stdout.trim().split('\n').at(-1) ?? '');
  });

  it('vigil export refuses a bad option naming its flag, with a non-zero exit', async () => {
    const server = ['--server', vigil.baseUrl, '--token', vigil.token];
    const range = ['--stream', 'cam1', '--from', FROM.toISOString(), '--duration', '4'];
    const badResolution = await vigilExport([...range, ...server, '--codec', 'h264', '--resolution', '1x1']);
    assert.equal(badResolution.code, 64, badResolution.stderr);
    assert.match(badResolution.stderr, /^vigil: invalid argument: --resolution: /m);
    const badFrom = await vigilExport(['--stream', 'cam1', '--from', 'yesterday', ...server]);
    assert.equal(badFrom.code, 64);
    assert.match(badFrom.stderr, /--from: expected Unix seconds or ISO 8601/);
    const badToken = await vigilExport([...range, '--server', vigil.baseUrl, '--token', 'wrong']);
    assert.equal(badToken.code, 77, badToken.stderr);
  });

  it('a full queue is a typed QUEUE_FULL error, over HTTP and from the exporter’s own limit', async () => {
    const ve = new VideoExporter({ server: { url: vigil.baseUrl, token: vigil.token } });
    try {
      // Transcodes, one at a time: the first runs, the second waits, the third finds the queue full.
      const submits = await Promise.allSettled(
        [1, 2, 3].map(() => ve.export('cam1', FROM, { duration: 10, options: { videoCodec: 'h264' } })),
      );
      const refused = submits.filter((s) => s.status === 'rejected');
      assert.equal(refused.length, 1, JSON.stringify(refused));
      const reason = (refused[0] as PromiseRejectedResult).reason as unknown;
      assert.ok(reason instanceof VigilError && reason.code === 'QUEUE_FULL', String(reason));
      for (const s of submits) {
        if (s.status === 'fulfilled') {
          const canceled = await ve.cancel(s.value.taskGuid);
          assert.equal(canceled.state, 'canceled');
        }
      }
    } finally {
      await ve.close();
    }

    const limited = new VideoExporter({ server: { url: vigil.baseUrl, token: vigil.token }, queueMaxLen: 1 });
    try {
      const first = await limited.export('cam1', FROM, { duration: 10, options: { videoCodec: 'h264' } });
      await assert.rejects(limited.export('cam1', FROM, { duration: 2 }), (err) => isVigilError(err, 'QUEUE_FULL'));
      assert.equal((await limited.cancel(first.taskGuid)).state, 'canceled');
      await assert.rejects(limited.export('cam1', FROM, { options: { video_codec: 'h264' } as never }), (err) =>
        isVigilError(err, 'UNKNOWN_FIELD'),
      );
    } finally {
      await limited.close();
    }
  });
});
