/**
 * The one text check of "is this path inside that root" (no symlinks
 * followed: archive/layout.ts and export/request/confine-path.ts do that on
 * disk after this). A name that merely starts with dots (`..cam`) is inside.
 */
import { isAbsolute, relative, sep } from 'node:path';

/** Whether `path` is `root` itself or below it; both are resolved paths. */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Whether `path` is strictly below `root`. */
export function isBelow(root: string, path: string): boolean {
  return relative(root, path) !== '' && isWithin(root, path);
}
