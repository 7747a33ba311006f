import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RouteAccess } from '../access/route-access.js';
import { webUiRoutes } from './web-ui.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-web-ui-'));
  await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
  await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><div id="app"></div>');
  await writeFile(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The app, and each answered request's declared access by URL (what the access hook reads). */
async function appWith(
  distDir: string,
): Promise<{ app: FastifyInstance; access: Map<string, RouteAccess | undefined> }> {
  const app = Fastify();
  const access = new Map<string, RouteAccess | undefined>();
  app.addHook('onRequest', async (request) => {
    access.set(`${request.method} ${request.url}`, request.routeOptions.config.access);
  });
  // A viewer URL beside the UI, as the media routes are.
  app.get('/:name/:file', { config: { access: { role: 'viewer' } } }, async (req) => req.params);
  await app.register(webUiRoutes, { distDir });
  await app.ready();
  return { app, access };
}

describe('web UI files', () => {
  test('`/` is the built index.html, public, with no-cache and a content security policy', async () => {
    const { app, access } = await appWith(join(dir, 'dist'));
    const res = await app.inject({ url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.equal(res.body, '<!doctype html><div id="app"></div>');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.headers['content-security-policy'] as string, /script-src 'self'/);
    assert.deepEqual(access.get('GET /'), { role: 'public' });
    await app.close();
  });

  test('hashed assets are cached for good', async () => {
    const { app, access } = await appWith(join(dir, 'dist'));
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'console.log(1)');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(access.get('GET /assets/index-abc123.js'), { role: 'public' });
    await app.close();
  });

  test('only built files are taken: other paths under /assets are still viewer URLs', async () => {
    const { app } = await appWith(join(dir, 'dist'));
    const res = await app.inject({ url: '/assets/index.m3u8' });
    assert.deepEqual(res.json(), { name: 'assets', file: 'index.m3u8' });
    await app.close();
  });

  test('without a build, `/` says to run npm run build:web', async () => {
    const missing = join(dir, 'nothing-here');
    const { app, access } = await appWith(missing);
    const res = await app.inject({ url: '/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build:web/);
    assert.ok(res.body.includes(missing));
    assert.deepEqual(access.get('GET /'), { role: 'public' });
    await app.close();
  });
});
