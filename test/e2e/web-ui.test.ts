/**
 * The web UI as an operator uses it, in Debian's headless Chromium against a
 * real Vigil recording a real RTSP camera: sign in, see the stream recording,
 * find the range on the timeline, play the archive, select 10 s, export it,
 * follow the progress to 100 %, download the file and check it with ffprobe;
 * then the exports page, the keyboard and a phone-sized screen. Screenshots of
 * every page go to bench/.work/web-ui-screenshots (not committed).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { formatLocalDateTime } from '../../web/src/timeline/time-zone.js';
import { probeCodecs, probeDurationSeconds } from '../helpers/media-check.js';
import { waitForRecorded } from '../helpers/vigil-process.js';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  assertNoSidewaysScroll,
  defineStep,
  screenshot as saveScreenshot,
  startWebUiEnv,
  type WebUiEnv,
} from '../helpers/web-ui.js';

const USER = ADMIN_USER;
const PASSWORD = ADMIN_PASSWORD;
/** The browser's zone: the UI must show and read times in it, not in UTC. */
const TIME_ZONE = 'Europe/Berlin';

let env: WebUiEnv;
let context: BrowserContext;
let page: Page;

async function screenshot(name: string): Promise<void> {
  await saveScreenshot(page, name);
}

/** The timeline canvas's window (aria-valuemin/max) and box: where to click for an instant. */
async function timelineXOf(tMs: number): Promise<{ x: number; y: number }> {
  const canvas = page.locator('.timeline canvas');
  const [min, max] = await Promise.all([canvas.getAttribute('aria-valuemin'), canvas.getAttribute('aria-valuemax')]);
  const box = await canvas.boundingBox();
  assert.ok(box && min && max, 'the timeline is on the page');
  const fraction = (tMs - Number(min)) / (Number(max) - Number(min));
  assert.ok(fraction > 0 && fraction < 1, `the instant is in the visible window (fraction ${fraction})`);
  return { x: box.x + fraction * box.width, y: box.y + 44 };
}

before(async () => {
  env = await startWebUiEnv({
    tmpPrefix: 'vigil-e2e-web-',
    extraConfig: [
      'dvr:',
      '  segment_duration: 4',
      // Finished jobs stay listed, so the UI can offer their download.
      'exports:',
      '  cancel_task_with_states: []',
    ],
  });
  context = await env.browser.newContext({
    acceptDownloads: true,
    timezoneId: TIME_ZONE,
    viewport: { width: 1280, height: 900 },
  });
  page = await context.newPage();
});

after(async () => {
  await context?.close();
  await env?.close();
});

const step = defineStep(
  () => env,
  () => page,
  'failed',
);

describe('web UI in Chromium against a recording Vigil', { timeout: 300_000 }, () => {
  let rangeStartMs = 0;

  step('signing in leads to the streams page, where the stream shows as recording', async () => {
    await page.goto(`${env.vigil.baseUrl}/`);
    await page.waitForURL(/#\/signin/);
    await screenshot('sign-in');
    await page.fill('input[name=user]', USER);
    await page.fill('input[name=password]', 'wrong password');
    await page.click('button[type=submit]');
    await page.getByText('Wrong user name or password.').waitFor();
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-stream=cam] [data-status=recording]').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('[data-stream=cam] h2').textContent(), 'Front door');
  });

  step('the stream page shows the live view and the recorded range on the timeline', async () => {
    const ranges = await waitForRecorded(env.vigil, 'cam', 20);
    rangeStartMs = ranges[0]!.from * 1000;
    // A decoded picture, not just the element: a failed preview swaps the img for "No picture".
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>('[data-stream=cam] img')?.naturalWidth ?? 0) > 0,
    );
    await screenshot('streams');
    await page.click('[data-stream=cam]');
    await page.waitForURL(/#\/streams\/cam$/);
    await page.locator('.live-tag').waitFor();
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0, undefined, {
      timeout: 60_000,
    });
    // An hour in view: zoom in to a few minutes, where 20 s is wide enough to click into.
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction(
      () => Number(document.querySelector('.timeline')?.getAttribute('data-visible-ranges')) >= 1,
    );
    await screenshot('stream-live');
  });

  step('a click on the timeline plays the archive from there', async () => {
    const at = await timelineXOf(rangeStartMs + 3000);
    await page.mouse.click(at.x, at.y);
    await page.locator('.archive-tag').waitFor();
    const start = await page.waitForFunction(
      () => {
        const video = document.querySelector('video');
        return video && !video.paused && video.currentTime > 0 ? video.currentTime : undefined;
      },
      undefined,
      { timeout: 60_000 },
    );
    const startTime = (await start.jsonValue()) as number;
    await page.waitForFunction((t0) => (document.querySelector('video')?.currentTime ?? 0) >= t0 + 2, startTime, {
      timeout: 60_000,
    });
    await screenshot('stream-archive');
  });

  step('space pauses, L goes back to live', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelector('video')?.paused === true);
    await page.keyboard.press('l');
    await page.locator('.live-tag').waitFor();
  });

  step('10 s typed as a selection export to an MP4 whose progress reaches 100 %', async () => {
    const fromMs = rangeStartMs + 2000;
    await page.fill('input[name=selection-start]', formatLocalDateTime(fromMs, TIME_ZONE));
    await page.fill('input[name=selection-end]', formatLocalDateTime(fromMs + 10_000, TIME_ZONE));
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    assert.equal(await page.getByTestId('selection-length').textContent(), '0:10');
    await page.getByRole('button', { name: 'Export…' }).click();
    const preview = await page.getByTestId('file-name-preview').textContent();
    const stamp = formatLocalDateTime(fromMs, TIME_ZONE).replace(/:/g, '.');
    assert.equal(
      preview,
      `Front door (${stamp} - ${formatLocalDateTime(fromMs + 10_000, TIME_ZONE).replace(/:/g, '.')}).mp4`,
    );
    await screenshot('export-dialog');
    await page.locator('.export-dialog button[type=submit]').click();
    const done = page.locator('.panel .job[data-state=success]');
    await done.waitFor({ timeout: 120_000 });
    assert.equal(await done.locator('.percent').getAttribute('data-percent'), '100');
    await screenshot('stream-exported');

    const [download] = await Promise.all([page.waitForEvent('download'), done.getByText('Download').click()]);
    const file = join(env.work, 'download.mp4');
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^Front door \(.*\)\.mp4$/);
    assert.ok((await probeCodecs(file)).includes('h264'), 'the file has the camera’s H.264 video');
    const seconds = await probeDurationSeconds(file);
    assert.ok(Math.abs(seconds - 10) < 0.5, `10 s selected, ffprobe reads ${seconds} s`);
  });

  step('the selection can be locked against retention', async () => {
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('button', { name: /^Unlock / }).waitFor();
    const locks = (await env.vigil.api('GET', '/streamer/api/v3/streams/cam/dvr/locks')).body as { locks: unknown[] };
    assert.equal(locks.locks.length, 1);
  });

  step('the exports page lists the job with its picture, size and a download', async () => {
    await page.click('a[href="#/exports"]');
    const row = page.locator('.job[data-state=success]');
    await row.waitFor();
    assert.match((await row.locator('.job-meta').textContent()) ?? '', /0:10 · MP4 · copy · [\d.]+ (KB|MB)/);
    await row.getByText('Download').waitFor();
    await screenshot('exports');
  });

  step('a phone-sized screen shows every page without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [hash, name, ready] of [
      ['#/', 'phone-streams', '[data-stream=cam] img'],
      ['#/streams/cam', 'phone-stream', '.timeline canvas'],
      ['#/exports', 'phone-exports', '.job img'],
    ] as const) {
      await page.goto(`${env.vigil.baseUrl}/${hash}`);
      await page.locator(ready).first().waitFor();
      await assertNoSidewaysScroll(page, hash);
      await screenshot(name);
    }
  });
});
