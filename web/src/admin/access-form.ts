/** Small parsing shared by the user and key forms. */
import type { Role } from '../api/types.js';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export const ROLE_HINTS: Record<Role, string> = {
  viewer: 'watch live and archive, download',
  operator: 'also export, lock and read events',
  admin: 'everything, including these pages',
};

/** "cam1, cam2 cam3" → the names; nothing typed → null (every stream). */
export function streamsOfText(text: string): string[] | null {
  const names = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length === 0 ? null : names;
}

export function streamsText(streams: string[] | null): string {
  return streams === null ? 'all streams' : streams.length === 0 ? 'no streams' : streams.join(', ');
}
