/**
 * The config's admin credentials as one check, for callers outside the HTTP
 * request path. Requests are authenticated by the access hook in
 * serve/access/ (which accepts the same Bearer token and Basic user/password).
 */
import { sameSecret } from './access/access-service.js';
import type { AdminAuth } from './deps.js';

/** True when the Authorization header carries the admin token or user and password. */
export function isAdmin(header: string | undefined, auth: AdminAuth): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (scheme === 'bearer') return sameSecret(credentials, auth.token);
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both compared every time (no short-circuit), so timing says nothing about which was wrong.
    const userOk = sameSecret(decoded.slice(0, colon), auth.user);
    const passwordOk = sameSecret(decoded.slice(colon + 1), auth.password);
    return userOk && passwordOk;
  }
  return false;
}
