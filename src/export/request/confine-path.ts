/**
 * The only I/O of an export request: following symlinks to be sure the file
 * stays inside its export root, and asking whether a name is already used.
 *
 * The same walk as archive/layout.ts's checkInsideRootOnDisk, for a user's
 * absolute directory rather than an index path: it also insists on a
 * directory, and its errors name the request's `file_path`.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { invalidArgument, VigilError } from '../../errors.js';
import { isWithin } from '../../path-within.js';

const isMissing = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * Refuses `directory` when its deepest existing part resolves outside `root`,
 * is a link to nothing, or is a file. (The file itself is not checked here:
 * the name picked for it is one nothing, not even a link, uses.)
 */
export async function confineToExportRoot(root: string, directory: string): Promise<void> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (cause) {
    throw new VigilError('STORAGE_FAILED', `export root ${root} is not accessible`, { cause });
  }
  let probe = directory;
  const missing: string[] = [];
  for (;;) {
    try {
      await lstat(probe);
      break;
    } catch (err) {
      if (!isMissing(err)) throw new VigilError('STORAGE_FAILED', `cannot read ${probe}`, { cause: err });
    }
    const parent = dirname(probe);
    if (parent === probe) break;
    missing.unshift(basename(probe));
    probe = parent;
  }
  let real: string;
  try {
    real = await realpath(probe);
  } catch {
    throw invalidArgument('file_path', `${probe} is a symbolic link to something that does not exist`);
  }
  if (!isWithin(realRoot, join(real, ...missing))) {
    throw invalidArgument('file_path', `${directory} leads outside the export root ${root} through a symbolic link`);
  }
  if (!(await stat(real)).isDirectory()) {
    throw invalidArgument('file_path', `${probe} is a file, not a directory`);
  }
}

/** A dangling symlink counts as taken: writing through it would land wherever it points. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw new VigilError('STORAGE_FAILED', `cannot check whether ${path} exists`, { cause: err });
  }
}
