/**
 * The web UI's admin pages in Debian's headless Chromium against a real Vigil
 * recording a real RTSP camera: a stream added with a bad URL shows the
 * server's message at the URL field, a good one shows on the streams page and
 * can be deleted with its archive; a viewer user created here signs in and
 * sees no admin navigation, no export controls and a "needs admin" page; an
 * API key is shown once and works; retention shows the bytes on disk.
 * Screenshots go to bench/.work/web-ui-screenshots (not committed).
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { waitForRecorded } from '../helpers/vigil-process.js';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  assertNoSidewaysScroll,
  defineStep,
  screenshot,
  signInThroughUi,
  startWebUiEnv,
  type WebUiEnv,
} from '../helpers/web-ui.js';

const VIEWER = 'watcher';
const VIEWER_PASSWORD = 'viewer password 1';

let env: WebUiEnv;
let admin: BrowserContext;
let page: Page;

before(async () => {
  env = await startWebUiEnv({ tmpPrefix: 'vigil-e2e-web-admin-', extraConfig: ['dvr:', '  segment_duration: 4'] });
  admin = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await admin.newPage();
});

after(async () => {
  await admin?.close();
  await env?.close();
});

const step = defineStep(
  () => env,
  () => page,
  'failed-admin',
);

describe('web UI admin pages in Chromium against a recording Vigil', { timeout: 300_000 }, () => {
  step('an admin sees the admin navigation; a bad stream URL is refused at its field', async () => {
    await signInThroughUi(page, env.vigil.baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    assert.equal(await page.locator('[data-nav=admin]').count(), 3);
    await page.getByRole('link', { name: 'Manage streams' }).click();
    await page.locator('[data-admin-stream=cam]').waitFor();
    await screenshot(page, 'admin-streams');

    await page.getByRole('button', { name: 'Add stream' }).click();
    const dialog = page.locator('.stream-dialog');
    await dialog.locator('input[name=name]').fill('gate');
    await dialog.locator('input[name=title]').fill('Gate');
    await dialog.locator('input[name=url]').fill('camera-without-scheme');
    await dialog.getByRole('button', { name: 'Add stream' }).click();
    const urlError = dialog.locator('[data-field=url] .field-error');
    await urlError.waitFor();
    assert.match((await urlError.textContent()) ?? '', /url: expected a URL with a scheme/);
    assert.equal(await dialog.locator('input[name=url]').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'admin-stream-url-error');

    await dialog.locator('input[name=url]').fill(env.camera.url);
    await dialog.locator('input[name=expirationHours]').fill('-1');
    await dialog.getByRole('button', { name: 'Add stream' }).click();
    await dialog.locator('[data-field=expirationHours] .field-error').waitFor();
    assert.equal(await dialog.locator('[data-field=url] .field-error').count(), 0, 'the URL is fine now');
  });

  step('a valid stream is saved and shows on the streams page', async () => {
    const dialog = page.locator('.stream-dialog');
    await dialog.locator('input[name=expirationHours]').fill('48');
    await dialog.getByRole('button', { name: 'Add stream' }).click();
    await page.locator('[data-admin-stream=gate]').waitFor();
    assert.equal(await dialog.count(), 0, 'the dialog closed');
    const saved = (await env.vigil.api('GET', '/streamer/api/v3/streams/gate')).body as {
      title: string;
      dvr: { expiration?: number };
    };
    assert.equal(saved.title, 'Gate');
    assert.equal(saved.dvr.expiration, 48 * 3600);

    await page.getByRole('link', { name: 'Streams', exact: true }).click();
    await page.locator('[data-stream=gate] h2').waitFor();
    assert.equal(await page.locator('[data-stream=gate] h2').textContent(), 'Gate');
  });

  step('a stream is deleted after a confirmation, with its archive when asked', async () => {
    await page.getByRole('link', { name: 'Manage streams' }).click();
    await page.locator('[data-admin-stream=gate]').getByRole('button', { name: 'Delete' }).click();
    const confirm = page.locator('.confirm-dialog');
    await confirm.locator('input[name=purge]').check();
    await screenshot(page, 'admin-stream-delete');
    await confirm.getByRole('button', { name: 'Delete stream and recordings' }).click();
    await page.locator('[data-admin-stream=gate]').waitFor({ state: 'detached' });
    assert.equal((await env.vigil.api('GET', '/streamer/api/v3/streams/gate')).status, 404);
  });

  step('a new user and a new API key; the key is shown once and works', async () => {
    await page.getByRole('link', { name: 'Users and keys' }).click();
    const form = page.locator('form.new-user');
    await form.locator('input[name=new-user-name]').fill(VIEWER);
    await form.locator('select[name=new-user-role]').selectOption('viewer');
    await form.locator('input[name=new-user-password]').fill(VIEWER_PASSWORD);
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.locator(`[data-user=${VIEWER}]`).waitFor();

    const keyForm = page.locator('form.new-key-form');
    await keyForm.locator('input[name=key-label]').fill('backup script');
    await keyForm.locator('select[name=key-role]').selectOption('operator');
    await keyForm.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-key');
    await shown.waitFor();
    const key = await shown.locator('input.key-value').inputValue();
    assert.ok(key.length >= 20, `a key, got ${JSON.stringify(key)}`);
    assert.match((await shown.textContent()) ?? '', /will not show it again/);
    await page.locator('[data-key-id]', { hasText: 'backup script' }).waitFor();
    await screenshot(page, 'admin-users-keys');

    const withKey = await fetch(`${env.vigil.baseUrl}/streamer/api/v3/streams`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(withKey.status, 200, 'the shown key signs requests in');

    await shown.getByRole('button', { name: 'I have saved it' }).click();
    await shown.waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('[data-key-id]', { hasText: 'backup script' }).waitFor();
    assert.ok(!(await page.content()).includes(key), 'the key is not on the page any more');
  });

  step('the retention page shows the bytes on disk and the quota', async () => {
    await waitForRecorded(env.vigil, 'cam', 8);
    // A disk limit set through the edit dialog: the page then shows the share used as a bar.
    await page.getByRole('link', { name: 'Manage streams' }).click();
    await page.locator('[data-admin-stream=cam]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.locator('.stream-dialog');
    assert.equal(
      await dialog.locator('input[name=url]').inputValue(),
      env.camera.url,
      'the form starts from the stream',
    );
    await dialog.locator('input[name=diskLimit]').fill('50M');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Retention' }).click();
    const size = page.locator('[data-usage=cam] [data-testid=size-on-disk]');
    await size.waitFor();
    assert.ok(Number(await size.getAttribute('data-bytes')) > 0, 'the recorded segments take bytes');
    assert.match((await size.textContent()) ?? '', /^[\d.]+ (B|KB|MB|GB)$/);
    const meter = page.locator('[data-usage=cam] [role=meter]');
    const percent = Number(await meter.getAttribute('aria-valuenow'));
    assert.ok(percent > 0 && percent < 100, `some of the 50 MiB limit is used: ${percent} %`);
    assert.match((await page.locator('[data-usage=cam] [data-testid=quota-text]').textContent()) ?? '', /% of 52 MB$/);
    await screenshot(page, 'admin-retention');
  });

  step('admin pages fit a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [hash, ready] of [
      ['#/admin/streams', '[data-admin-stream=cam]'],
      ['#/admin/users', '[data-key-id]'],
      ['#/admin/retention', '[data-testid=size-on-disk]'],
    ] as const) {
      await page.goto(`${env.vigil.baseUrl}/${hash}`);
      await page.locator(ready).first().waitFor();
      await assertNoSidewaysScroll(page, hash);
      await screenshot(page, `phone-${hash.replace(/\W+/g, '-').replace(/^-/, '')}`);
    }
  });

  step('a viewer sees no admin navigation, no export controls, and "needs admin" on admin URLs', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const viewer = await context.newPage();
    try {
      await signInThroughUi(viewer, env.vigil.baseUrl, VIEWER, VIEWER_PASSWORD);
      await viewer.locator('[data-stream=cam]').waitFor();
      assert.equal(await viewer.locator('[data-nav=admin]').count(), 0);
      assert.equal(await viewer.locator('a[href="#/exports"]').count(), 0);
      assert.match((await viewer.locator('.who').textContent()) ?? '', /watcher · viewer/);

      await viewer.click('[data-stream=cam]');
      await viewer.locator('.timeline canvas').waitFor();
      await viewer.waitForFunction(
        () => Number(document.querySelector('.timeline')?.getAttribute('data-visible-ranges')) >= 1,
      );
      assert.equal(await viewer.getByRole('button', { name: 'Export…' }).count(), 0);
      assert.equal(await viewer.getByRole('button', { name: 'Lock', exact: true }).count(), 0);
      assert.equal(await viewer.locator('.state-error').count(), 0, 'no 403 from routes a viewer may not use');
      await screenshot(viewer, 'viewer-stream');

      await viewer.goto(`${env.vigil.baseUrl}/#/admin/users`);
      await viewer.getByTestId('needs-admin').waitFor();
      await screenshot(viewer, 'viewer-needs-admin');
    } finally {
      await context.close();
    }
  });
});
