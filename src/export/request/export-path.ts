/**
 * Where a requested `file_path` lands, checked on the text of the path only:
 * inside one of the configured export roots, no `..`, no name Windows or
 * macOS would refuse. confine-path.ts then follows symlinks on disk.
 */
import { isAbsolute, posix, relative, resolve } from 'node:path';
import { invalidArgument, VigilError } from '../../errors.js';
import { isWithin } from '../../path-within.js';
import { containerOfFileName, sanitizeFileName } from './file-name.js';
import { show } from './values.js';

const FIELD = 'file_path';
/** PATH_MAX on Linux. */
const MAX_PATH_CHARS = 4096;

/** Configured roots, made canonical; a relative or missing root is a configuration error. */
export function checkExportRoots(roots: readonly string[]): string[] {
  if (roots.length === 0) {
    throw new VigilError('INVALID_CONFIG', 'export_roots: no export root is configured; add at least one directory', {
      field: 'export_roots',
    });
  }
  return roots.map((root) => {
    if (!isAbsolute(root)) {
      throw new VigilError('INVALID_CONFIG', `export_roots: expected absolute paths, got ${show(root)}`, {
        field: 'export_roots',
      });
    }
    return resolve(root);
  });
}

export interface RequestedPath {
  root: string;
  directory: string;
  /** Set when the path's last part names a file (it ends in a container's extension). */
  fileName?: string;
}

/**
 * No path: the first root. A relative path starts at the first root; an
 * absolute one must be inside a root (the deepest one that holds it). A last
 * part ending in `.mp4`, `.mkv`, `.ts` or `.avi` is the file's name.
 */
export function resolveRequestedPath(filePath: string | undefined, roots: readonly string[]): RequestedPath {
  const canonicalRoots = checkExportRoots(roots);
  const defaultRoot = canonicalRoots[0]!;
  if (filePath === undefined || filePath.trim() === '') return { root: defaultRoot, directory: defaultRoot };
  const allowed = `a directory or file path inside ${canonicalRoots.join(' or ')}`;
  if (filePath.length > MAX_PATH_CHARS) {
    throw invalidArgument(FIELD, `at most ${MAX_PATH_CHARS} characters, got ${filePath.length}`);
  }
  if (filePath.includes('\\')) {
    throw invalidArgument(FIELD, `use "/" between directories, got ${show(filePath)} (expected ${allowed})`);
  }
  const parts = filePath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    throw invalidArgument(FIELD, `".." is not allowed, got ${show(filePath)} (expected ${allowed})`);
  if (filePath.startsWith('~')) {
    throw invalidArgument(FIELD, `"~" is not expanded, got ${show(filePath)} (expected ${allowed})`);
  }
  const last = parts.at(-1);
  const fileName = last !== undefined && containerOfFileName(last) !== undefined ? last : undefined;
  const dirParts = fileName === undefined ? parts : parts.slice(0, -1);
  const absolute = isAbsolute(filePath);
  // An absolute path's leading directories are the root's own; only the part inside the root is checked below.
  const directory = resolve(absolute ? posix.join('/', ...dirParts) : posix.join(defaultRoot, ...dirParts));
  const root = absolute
    ? canonicalRoots.filter((r) => isWithin(r, directory)).sort((a, b) => b.length - a.length)[0]
    : defaultRoot;
  if (root === undefined)
    throw invalidArgument(FIELD, `${show(filePath)} is outside the export roots (expected ${allowed})`);
  for (const part of relative(root, directory)
    .split('/')
    .filter((p) => p !== '')) {
    // Directory names are where files land: rewriting one silently could merge two users' folders.
    if (sanitizeFileName(part) !== part) {
      throw invalidArgument(
        FIELD,
        `directory ${show(part)} has characters or a form Windows, macOS or Linux refuse ` +
          `(<>:"|?* control characters, leading or trailing dots or spaces, CON, NUL…), got ${show(filePath)}`,
      );
    }
  }
  return fileName === undefined ? { root, directory } : { root, directory, fileName };
}
