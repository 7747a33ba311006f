/**
 * The OpenAPI document: valid OpenAPI 3, every registered route in it with a
 * response schema, every request schema refusing unknown keys, and the
 * browsable page served with its assets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteOptions } from 'fastify';
import { openAccessTestApp, type AccessTestApp } from './access/access-test-app.js';
import { DOCS_PREFIX, OPENAPI_PATH } from './openapi.js';
import { BEARER } from './testing/app-harness.js';

interface Operation {
  summary?: string;
  tags?: string[];
  responses?: Record<string, { content?: Record<string, unknown> }>;
}
type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, Operation>> };

const DOC_ROUTES = new Set([OPENAPI_PATH]);
const isDocRoute = (url: string) => DOC_ROUTES.has(url) || url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`);

/** The web UI's built files (hashed names, not API) are the only routes hidden from the document. */
const isWebUiFile = (route: RouteOptions) =>
  /^\/(?!api\/|streamer\/)[^:*]*\.[a-z0-9]+$/i.test(route.url) &&
  (route.schema as { hide?: boolean } | undefined)?.hide === true;

/** `GET /a/:name` for every method of every registered route, HEAD twins and the docs' own routes left out. */
function documentedRoutes(routes: RouteOptions[]): string[] {
  const out = new Set<string>();
  for (const route of routes) {
    if (isDocRoute(route.url) || isWebUiFile(route)) continue;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      out.add(`${method} ${route.url}`);
    }
  }
  return [...out].sort();
}

const toOpenApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** Paths inside a request schema where an object would take keys it does not name. */
function openObjects(schema: unknown, at: string, out: string[]): void {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' && node.additionalProperties !== false) out.push(at);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'properties' && typeof child === 'object' && child !== null) {
      for (const [prop, sub] of Object.entries(child)) openObjects(sub, `${at}.${prop}`, out);
    } else if (Array.isArray(child)) {
      child.forEach((sub, i) => openObjects(sub, `${at}.${key}[${i}]`, out));
    } else if (key === 'items' || key === 'not') {
      openObjects(child, `${at}[]`, out);
    }
  }
}

describe('OpenAPI document', () => {
  let t: AccessTestApp;
  let doc: OpenApiDocument;

  before(async () => {
    t = await openAccessTestApp();
    const res = await t.app.inject({ method: 'GET', url: OPENAPI_PATH });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json<OpenApiDocument>();
  });
  after(() => t.close());

  it('is a valid OpenAPI 3 document', async () => {
    assert.match(String(doc.openapi), /^3\./);
    const result = await new Validator().validate(doc);
    assert.deepEqual(result.errors ?? [], [], JSON.stringify(result.errors, null, 2));
    assert.equal(result.valid, true);
  });

  it('has every route, each with a summary, tags and a response for success and for errors', () => {
    const routes = documentedRoutes(t.routes);
    assert.ok(routes.length >= 30, `only ${routes.length} routes registered`);
    const missing: string[] = [];
    for (const route of routes) {
      const [method = '', url = ''] = route.split(' ');
      const op = doc.paths[toOpenApiPath(url)]?.[method.toLowerCase()];
      if (op === undefined) {
        missing.push(`${route}: not in the document`);
        continue;
      }
      const codes = Object.keys(op.responses ?? {});
      if (!op.summary) missing.push(`${route}: no summary`);
      if (!op.tags?.length) missing.push(`${route}: no tags`);
      if (!codes.some((c) => /^[23]/.test(c) && op.responses?.[c]?.content !== undefined) && !codes.includes('204')) {
        missing.push(`${route}: no success response with a body schema (${codes.join(', ') || 'none'})`);
      }
      if (!codes.some((c) => /^[45]/.test(c))) {
        missing.push(`${route}: no error response`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('leaves out the documentation routes and Fastify’s implicit HEAD twins', () => {
    assert.equal(doc.paths[OPENAPI_PATH], undefined);
    assert.deepEqual(
      Object.keys(doc.paths).filter((p) => p.startsWith(DOCS_PREFIX)),
      [],
    );
    // HEAD is documented only where a route names it itself (downloads, viewer URLs).
    const explicitHead = new Set(
      t.routes.filter((r) => Array.isArray(r.method) && r.method.includes('HEAD')).map((r) => toOpenApiPath(r.url)),
    );
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (ops.head !== undefined) assert.ok(explicitHead.has(path), `HEAD ${path}`);
    }
  });

  it('declares every params, query string and body schema closed to unknown keys', () => {
    const open: string[] = [];
    for (const route of t.routes) {
      if (isDocRoute(route.url) || route.method === 'HEAD') continue;
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      for (const part of ['params', 'querystring', 'body'] as const) {
        openObjects(schema[part], `${String(route.method)} ${route.url} ${part}`, open);
      }
    }
    assert.deepEqual(open, []);
  });

  it('refuses an unknown body key and an unknown query parameter, naming it', async () => {
    const asked = [
      {
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { stream: 'cam', kinds: ['live'], expires_in: 60, colour: 'red' },
      },
      { method: 'GET', url: '/streamer/api/v3/streams/cam/dvr/ranges?colour=red' },
      { method: 'GET', url: '/cam/index.m3u8?colour=red' },
    ] as const;
    for (const request of asked) {
      const res = await t.app.inject({ ...request, headers: BEARER });
      assert.equal(res.statusCode, 400, `${request.url}: ${res.body}`);
      assert.deepEqual(res.json<{ error: { code: string; field: string } }>().error, {
        ...res.json<{ error: object }>().error,
        code: 'UNKNOWN_FIELD',
        field: 'colour',
      });
    }
  });
});

describe('API documentation page', () => {
  let t: AccessTestApp;
  before(async () => {
    t = await openAccessTestApp();
  });
  after(() => t.close());

  it('serves the page and its scripts without credentials, from this server', async () => {
    const page = await t.app.inject({ method: 'GET', url: `${DOCS_PREFIX}/` });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(page.body, /https?:\/\//, 'every asset comes from this server');
    const scripts = [...page.body.matchAll(/src="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(scripts.length > 0);
    for (const src of scripts) {
      const url = new URL(src, `http://vigil.invalid${DOCS_PREFIX}/`).pathname;
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url}: ${res.statusCode}`);
    }
    const init = await t.app.inject({ method: 'GET', url: `${DOCS_PREFIX}/static/swagger-initializer.js` });
    assert.match(init.body, /json/);
  });
});
