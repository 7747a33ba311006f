/**
 * The HLS playlists played as a viewer plays them: hls.js in headless
 * Chromium, from an imported archive range and from the live edge of a
 * stream being recorded (the built-in demo source).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { hlsPage, launchBrowser, playHls } from '../helpers/browser.js';
import { findFreePort } from '../helpers/free-port.js';
import { makeTestClip } from '../helpers/media-check.js';
import { runVigilImport, writeImportConfig } from '../helpers/vigil-cli.js';
import { startVigilProcess, TEST_TOKEN, waitForRecorded, type VigilProcess } from '../helpers/vigil-process.js';

let work: string;
let vigil: VigilProcess;
let browser: Browser;
let t0: number;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-e2e-hls-'));
  const clip = join(work, 'clip.mp4');
  await makeTestClip(clip, { seconds: 16 });
  t0 = Math.floor(Date.now() / 1000) - 3600;
  const dataDir = join(work, 'data');
  await runVigilImport(
    writeImportConfig(join(work, 'import.yaml'), dataDir, 4),
    'cam',
    new Date(t0 * 1000).toISOString(),
    clip,
  );
  vigil = await startVigilProcess({
    dataDir,
    port: await findFreePort(),
    extraConfig: ['dvr:', '  segment_duration: 4', 'streams:', '  live:', '    url: demo://clock'].join('\n'),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vigil?.kill();
  await rm(work, { recursive: true, force: true });
});

test('hls.js plays an archive range in Chromium: the video advances with no error', async () => {
  const page = await hlsPage(browser, vigil.baseUrl);
  const result = await playHls(page, `/cam/index-${t0 + 2}-12.m3u8?token=${TEST_TOKEN}`, 3);
  assert.deepEqual(result.errors, []);
  assert.ok(result.currentTime - result.startTime >= 3, JSON.stringify(result));
});

test('hls.js plays the live edge of a stream being recorded', async () => {
  await waitForRecorded(vigil, 'live', 8);
  const page = await hlsPage(browser, vigil.baseUrl);
  const result = await playHls(page, `/live/index.m3u8?token=${TEST_TOKEN}`, 2, 40_000);
  assert.deepEqual(
    result.errors.filter((e) => e.endsWith('(fatal)')),
    [],
  );
  assert.ok(result.currentTime - result.startTime >= 2, JSON.stringify(result));
});
