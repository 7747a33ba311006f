/**
 * What the web UI's browser tests share: the built UI, a Vigil recording a
 * real RTSP camera with the config's admin user able to sign in, Chromium, the
 * screenshot folder and a sign-in through the UI's own form.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { findFreePort } from './free-port.js';
import { startRtspCamera, type RtspCamera } from './rtsp-camera.js';
import { startVigilProcess, type VigilProcess } from './vigil-process.js';

const root = resolve(import.meta.dirname, '..', '..');
export const SCREENSHOTS = process.env.VIGIL_SCREENSHOT_DIR ?? join(root, 'bench', '.work', 'web-ui-screenshots');
export const ADMIN_USER = 'operator-admin';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface WebUiEnv {
  work: string;
  camera: RtspCamera;
  vigil: VigilProcess;
  browser: Browser;
  /** Why the UI cannot be driven here (no sign-in route yet); undefined when it can. */
  skipReason: string | undefined;
  close(): Promise<void>;
}

export async function buildWebUi(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: join(root, 'web'),
    timeout: 180_000,
  });
}

/**
 * Builds the UI, starts the camera, a Vigil with stream `cam` on it (title
 * "Front door") plus `extraConfig`, and Chromium.
 */
export async function startWebUiEnv(options: { tmpPrefix: string; extraConfig?: string[] }): Promise<WebUiEnv> {
  const work = await mkdtemp(join(tmpdir(), options.tmpPrefix));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const parts: Partial<Omit<WebUiEnv, 'close' | 'skipReason' | 'work'>> = {};
  const close = async () => {
    await parts.browser?.close();
    await parts.vigil?.kill();
    await parts.camera?.stop();
    delete process.env.VIGIL_ADMIN_USER;
    delete process.env.VIGIL_ADMIN_PASSWORD;
    await rm(work, { recursive: true, force: true });
  };
  try {
    await buildWebUi();
    const camera = (parts.camera = await startRtspCamera({ size: '320x240' }));
    // The config's admin user, as the access contract signs it in through the session route.
    process.env.VIGIL_ADMIN_USER = ADMIN_USER;
    process.env.VIGIL_ADMIN_PASSWORD = ADMIN_PASSWORD;
    const vigil = (parts.vigil = await startVigilProcess({
      dataDir: work,
      port: await findFreePort(),
      extraConfig: [
        ...(options.extraConfig ?? []),
        'streams:',
        '  cam:',
        `    url: ${camera.url}`,
        '    title: Front door',
      ].join('\n'),
    }));
    const probe = await fetch(`${vigil.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: ADMIN_USER, password: ADMIN_PASSWORD }),
    });
    let skipReason: string | undefined;
    if (probe.status === 404) skipReason = 'this Vigil has no POST /api/v1/session yet (access control, issue 6)';
    else assert.equal(probe.status, 200, `sign-in with the config's admin user: ${await probe.text()}`);
    const browser = (parts.browser = await launchBrowser());
    return { work, camera, vigil, browser, skipReason, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the UI's form from a fresh page load; resolves once the streams page is up. */
export async function signInThroughUi(page: Page, baseUrl: string, user: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(/#\/signin/);
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'Streams', exact: true }).waitFor();
}

/**
 * The `step(name, body)` a browser suite declares its tests with: skipped
 * where the UI cannot be driven; a failure gets the tail of the server's log
 * (where the reason usually is) and a screenshot `<failurePrefix>-<name>`.
 * The getters read the suite's env and page, which `before` sets.
 */
export function defineStep(
  getEnv: () => WebUiEnv,
  getPage: () => Page,
  failurePrefix: string,
): (name: string, body: () => Promise<void>) => void {
  return (name, body) => {
    test(name, async (t) => {
      const env = getEnv();
      if (env.skipReason !== undefined) return t.skip(env.skipReason);
      try {
        await body();
      } catch (err) {
        if (err instanceof Error) err.message += `\n--- vigil output (tail) ---\n${env.vigil.output().slice(-3000)}`;
        await screenshot(getPage(), `${failurePrefix}-${name.replace(/\W+/g, '-')}`).catch(() => undefined);
        throw err;
      }
    });
  };
}

/** Fails when the page is wider than the window: a phone would have to scroll sideways. */
export async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what}: ${overflow} px wider than the screen`);
}
