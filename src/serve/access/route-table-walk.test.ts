/**
 * Walks the whole route table: every registered route is called with no
 * credentials, a viewer's play token, an operator's API key, the admin's
 * token and the admin signed in by session cookie (with its CSRF header),
 * and must give each the answer its declared role calls for. A route with no
 * declaration fails the walk (the hook would refuse it anyway).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { BEARER, TEST_AUTH } from '../testing/app-harness.js';
import { SESSION_COOKIE } from './access-hook.js';
import { openAccessTestApp, type AccessTestApp } from './access-test-app.js';
import type { RouteAccess } from './route-access.js';

/** The roles the core routes must declare; routes other parts add are checked against their own declaration. */
const EXPECTED_ROLES: Record<string, RouteAccess['role']> = {
  'GET /healthz': 'public',
  'GET /streamer/api/v3/streams': 'viewer',
  'GET /streamer/api/v3/streams/:name': 'viewer',
  'PUT /streamer/api/v3/streams/:name': 'admin',
  'DELETE /streamer/api/v3/streams/:name': 'admin',
  'GET /streamer/api/v3/streams/:name/dvr/ranges': 'viewer',
  'DELETE /streamer/api/v3/streams/:name/dvr/ranges': 'admin',
  'POST /streamer/api/v3/streams/:name/dvr/locks': 'operator',
  'GET /streamer/api/v3/streams/:name/dvr/locks': 'operator',
  'DELETE /streamer/api/v3/streams/:name/dvr/locks': 'operator',
  'POST /streamer/api/v3/streams/:name/dvr/export': 'operator',
  'POST /api/v1/streams/:name/events': 'operator',
  'GET /api/v1/streams/:name/events': 'operator',
  'DELETE /api/v1/streams/:name/events/:id': 'operator',
  'POST /api/v1/exports': 'operator',
  'GET /api/v1/exports': 'operator',
  'GET /api/v1/exports/:id': 'operator',
  'DELETE /api/v1/exports/:id': 'operator',
  'GET /api/v1/exports/:id/file': 'operator',
  'GET /api/v1/exports/:id/thumbnail.jpg': 'operator',
  'GET /api/v1/events': 'operator',
  'GET /:name/:file': 'viewer',
  'GET /:name/s/:file': 'viewer',
  'GET /api/v1/users': 'admin',
  'POST /api/v1/users': 'admin',
  'PATCH /api/v1/users/:name': 'admin',
  'DELETE /api/v1/users/:name': 'admin',
  'GET /api/v1/keys': 'admin',
  'POST /api/v1/keys': 'admin',
  'DELETE /api/v1/keys/:id': 'admin',
  'POST /api/v1/tokens': 'viewer',
  'POST /api/v1/session': 'public',
  'GET /api/v1/session': 'public',
  'DELETE /api/v1/session': 'public',
};

const PARAM_VALUES: Record<string, string> = { name: 'cam', file: 'archive-1763712000-10.mp4', id: '00000000000a' };

interface Endpoint {
  method: string;
  url: string;
  pattern: string;
  access: RouteAccess | undefined;
}

function endpointsOf(routes: RouteOptions[]): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const route of routes) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const url = route.url.replace(/:(\w+)/g, (_m, p: string) => PARAM_VALUES[p] ?? 'x').replace(/\*$/, 'x');
    for (const method of methods) {
      if (method === 'OPTIONS') continue;
      const access = (route.config as { access?: RouteAccess } | undefined)?.access;
      seen.set(`${method} ${route.url}`, { method, url, pattern: route.url, access });
    }
  }
  // Signing out last, so the session credential lasts the whole walk.
  const signOut = (e: Endpoint) => (e.method === 'DELETE' && e.pattern === '/api/v1/session' ? 1 : 0);
  return [...seen.values()].sort((x, y) => signOut(x) - signOut(y));
}

type Who = 'anonymous' | 'viewer token' | 'operator key' | 'admin' | 'admin session';
/** Answers about the session cookie alone: 401 for every other credential. */
const SESSION_ONLY = new Set(['GET /api/v1/session', 'HEAD /api/v1/session']);
const RANK = { public: -1, viewer: 0, operator: 1, admin: 2 } as const;

/** Whether `who` must get through the access hook (anything but 401/403). */
function mayPass(who: Who, access: RouteAccess): boolean {
  if (access.role === 'public') return true;
  if (who === 'anonymous') return false;
  if (who === 'admin' || who === 'admin session') return true;
  if (who === 'operator key') return RANK[access.role] <= RANK.operator;
  // A play token opens viewer URLs only: those that name a token kind.
  return access.role === 'viewer' && (access.tokenKind !== undefined || access.tokenKindsOf !== undefined);
}

describe('route table auth walk', () => {
  let t: AccessTestApp;
  const credentials = {} as Record<Who, Record<string, string>>;

  before(async () => {
    t = await openAccessTestApp();
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: BEARER,
      payload: { role: 'operator', label: 'walk' },
    });
    assert.equal(key.statusCode, 201, key.body);
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: BEARER,
      payload: { stream: 'cam', kinds: ['live', 'archive', 'download'], expires_in: 600 },
    });
    assert.equal(token.statusCode, 200, token.body);
    credentials.anonymous = {};
    credentials['viewer token'] = { authorization: `Bearer ${token.json<{ token: string }>().token}` };
    credentials['operator key'] = { authorization: `Bearer ${key.json<{ key: string }>().key}` };
    credentials.admin = BEARER;
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { user: TEST_AUTH.user, password: TEST_AUTH.password },
    });
    assert.equal(login.statusCode, 200, login.body);
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE);
    credentials['admin session'] = {
      cookie: `${SESSION_COOKIE}=${cookie?.value ?? ''}`,
      'x-csrf-token': login.json<{ csrf_token: string }>().csrf_token,
    };
  });
  after(() => t.close());

  it('finds every core route, each declaring the role it must have', () => {
    const endpoints = endpointsOf(t.routes);
    const declared = new Map(endpoints.map((e) => [`${e.method} ${e.pattern}`, e.access?.role]));
    for (const [route, role] of Object.entries(EXPECTED_ROLES)) {
      assert.equal(declared.get(route), role, `${route} declares ${declared.get(route)}, expected ${role}`);
    }
    const undeclared = endpoints.filter((e) => e.access === undefined).map((e) => `${e.method} ${e.pattern}`);
    assert.deepEqual(undeclared, [], 'routes without config.access');
  });

  // Least privileged first: the admins' calls change things (DELETE stream, DELETE session), the others must not get to.
  for (const who of ['anonymous', 'viewer token', 'operator key', 'admin session', 'admin'] as const) {
    it(`answers ${who} as each route's role says`, async () => {
      const wrong: string[] = [];
      for (const endpoint of endpointsOf(t.routes)) {
        if (endpoint.access === undefined) continue;
        const res = await t.app.inject({
          method: endpoint.method as 'GET',
          url: endpoint.url,
          headers: credentials[who],
          // Resolves at the headers, so the event stream does not hold the walk.
          payloadAsStream: true,
        });
        res.stream().destroy();
        const refused = res.statusCode === 401 || res.statusCode === 403;
        const route = `${endpoint.method} ${endpoint.pattern}`;
        const expected = SESSION_ONLY.has(route)
          ? who === 'admin session'
            ? 'through'
            : 401
          : mayPass(who, endpoint.access)
            ? 'through'
            : who === 'anonymous'
              ? 401
              : 403;
        // Through the hook means the handler answered: neither refused nor crashed.
        const ok = expected === 'through' ? !refused && res.statusCode < 500 : res.statusCode === expected;
        if (!ok) wrong.push(`${endpoint.method} ${endpoint.url}: ${res.statusCode}, expected ${expected}`);
      }
      assert.deepEqual(wrong, []);
    });
  }
});
