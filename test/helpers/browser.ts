/// <reference lib="dom" />
/** Debian's Chromium driven by playwright-core, started the way this machine allows (no sandbox, no background network). */
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 60_000,
    args: [
      ...['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync'],
      ...['--disable-background-networking', '--disable-component-update'],
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A page on `origin` (so the media URLs are same-origin) with a muted <video id="video"> and hls.js loaded. */
export async function hlsPage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${origin}/healthz`);
  await page.setContent('<!doctype html><video id="video" muted playsinline></video>');
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js') });
  return page;
}

export interface PlaybackResult {
  startTime: number;
  currentTime: number;
  errors: string[];
}

/** Plays `url` with hls.js until the video has advanced `seconds`, or `timeoutMs` passes. */
export async function playHls(page: Page, url: string, seconds: number, timeoutMs = 30_000): Promise<PlaybackResult> {
  return page.evaluate(
    async ({ url, seconds, timeoutMs }) => {
      const video = document.getElementById('video') as HTMLVideoElement;
      const Hls = (window as unknown as { Hls: new () => HlsLike }).Hls;
      interface HlsLike {
        loadSource(url: string): void;
        attachMedia(video: HTMLVideoElement): void;
        on(event: string, listener: (event: string, data: { details: string; fatal: boolean }) => void): void;
      }
      const hls = new Hls();
      const errors: string[] = [];
      hls.on('hlsError', (_e, data) => errors.push(`${data.details}${data.fatal ? ' (fatal)' : ''}`));
      hls.loadSource(url);
      hls.attachMedia(video);
      const deadline = Date.now() + timeoutMs;
      let startTime = Number.NaN;
      while (Date.now() < deadline) {
        if (video.paused && video.readyState >= 2) await video.play().catch(() => undefined);
        if (Number.isNaN(startTime) && video.currentTime > 0) startTime = video.currentTime;
        if (!Number.isNaN(startTime) && video.currentTime - startTime >= seconds) break;
        if (errors.some((e) => e.endsWith('(fatal)'))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return { startTime, currentTime: video.currentTime, errors };
    },
    { url, seconds, timeoutMs },
  );
}
