/**
 * Live HLS from frames, played as a viewer plays it: a StreamPublisher writes
 * an fMP4 playlist while frames are still pushed at real time, a small HTTP
 * server hands the folder out, and hls.js in headless Chromium plays it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { paintTestFrame, StreamPublisher } from '../../src/publish/index.js';
import { hlsPage, launchBrowser, playHls } from '../helpers/browser.js';

const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

/** Serves the files of `root` (and /healthz for the page's origin). */
async function serveFolder(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/healthz') return void res.end('ok');
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const address = server.address();
  return { server, origin: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}` };
}

let dir: string;
let browser: Browser;
let http: { server: Server; origin: string };
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-publish-hls-'));
  http = await serveFolder(dir);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  http?.server.closeAllConnections();
  await new Promise<void>((done) => (http === undefined ? done() : http.server.close(() => done())));
  rmSync(dir, { recursive: true, force: true });
});

test('hls.js in Chromium plays a live playlist while frames are still pushed', { timeout: 120_000 }, async () => {
  const publisher = new StreamPublisher();
  publisher.setParameter({ width: 320, height: 180, hlsTime: 1, hlsListSize: 6 });
  await publisher.open(join(dir, 'live.m3u8'));
  let pushing = true;
  const pusher = (async () => {
    for (let i = 0; pushing && i < 25 * 60; i++) {
      if (!(await publisher.serveFrameBlock(paintTestFrame(i, 320, 180)))) throw publisher.lastError;
    }
  })();
  try {
    const playlist = join(dir, 'live.m3u8');
    for (
      let waited = 0;
      !existsSync(playlist) || (readFileSync(playlist, 'utf8').match(/#EXTINF/g) ?? []).length < 2;
    ) {
      assert.ok((waited += 100) < 30_000, 'two segments are listed within 30 s');
      await sleep(100);
    }
    const page = await hlsPage(browser, http.origin);
    const result = await playHls(page, '/live.m3u8', 2, 40_000);
    assert.deepEqual(
      result.errors.filter((e) => e.endsWith('(fatal)')),
      [],
    );
    assert.ok(result.currentTime - result.startTime >= 2, JSON.stringify(result));
    assert.equal(publisher.state, 'open', 'still publishing while it played');
  } finally {
    pushing = false;
    await pusher;
    await publisher.close();
  }
});
