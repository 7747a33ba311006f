/**
 * A request → a job spec with its final path: normalize (pure), confine the
 * path on disk, then pick a name nothing uses yet.
 */
import { join } from 'node:path';
import { confineToExportRoot, pathExists } from './confine-path.js';
import { nextFreeFileName } from './file-name.js';
import { wireRequestFromLibrary } from './library-input.js';
import { normalizeExportRequest } from './normalize-request.js';
import type { ExportJobRequest, ExportJobSpec, ExportJobWireRequest, ExportRequestContext } from './types.js';

export interface ExportPathIo {
  /** Throws when `directory` leads out of `root` through a symlink (or is not a directory). */
  confine(root: string, directory: string): Promise<void>;
  /**
   * Whether an absolute path is taken. The queue should also answer true for
   * the paths of jobs not yet written, or two jobs would pick the same name.
   */
  isTaken(filePath: string): boolean | Promise<boolean>;
}

export const diskPathIo: ExportPathIo = { confine: confineToExportRoot, isTaken: pathExists };

export async function prepareExportJob(
  input: ExportJobWireRequest,
  ctx: ExportRequestContext,
  io: ExportPathIo = diskPathIo,
): Promise<ExportJobSpec> {
  const { target, ...draft } = normalizeExportRequest(input, ctx);
  // A directory that links out of the root is refused before any name in it is probed.
  await io.confine(target.root, target.directory);
  const fileName = await nextFreeFileName(target.fileName, (candidate) =>
    io.isTaken(join(target.directory, candidate)),
  );
  return { ...draft, fileName, filePath: join(target.directory, fileName), exportRoot: target.root };
}

/** The library face: camelCase in, the same spec and the same wire-named error fields out. */
export function prepareLibraryExportJob(
  request: ExportJobRequest,
  ctx: ExportRequestContext,
  io: ExportPathIo = diskPathIo,
): Promise<ExportJobSpec> {
  return Promise.resolve().then(() => prepareExportJob(wireRequestFromLibrary(request), ctx, io));
}
