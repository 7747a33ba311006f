/**
 * Hash routes (`#/streams/cam1`): the page is always `/`, so UI routes never
 * meet the viewer URLs (`/{name}/…`) and the server needs no fallback list.
 */
import { useEffect, useState } from 'preact/hooks';

export type AdminPage = 'admin-streams' | 'admin-users' | 'admin-retention';

export type Route =
  | { page: 'streams' }
  | { page: 'stream'; name: string }
  | { page: 'exports' }
  | { page: AdminPage }
  | { page: 'signin'; next: string };

const ADMIN_PAGES: Record<string, AdminPage> = {
  streams: 'admin-streams',
  users: 'admin-users',
  retention: 'admin-retention',
};

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const [pathname = '/', query = ''] = path.split('?');
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'streams' && parts[1] !== undefined) return { page: 'stream', name: decodeURIComponent(parts[1]) };
  if (parts[0] === 'exports') return { page: 'exports' };
  if (parts[0] === 'admin') return { page: ADMIN_PAGES[parts[1] ?? ''] ?? 'admin-streams' };
  if (parts[0] === 'signin') return { page: 'signin', next: new URLSearchParams(query).get('next') ?? '/' };
  return { page: 'streams' };
}

export function navigate(path: string): void {
  window.location.hash = `#${path}`;
}

export const hrefs = {
  streams: () => '#/',
  stream: (name: string) => `#/streams/${encodeURIComponent(name)}`,
  exports: () => '#/exports',
  adminStreams: () => '#/admin/streams',
  adminUsers: () => '#/admin/users',
  adminRetention: () => '#/admin/retention',
};

export function isAdminPage(route: Route): route is { page: AdminPage } {
  return route.page.startsWith('admin-');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
