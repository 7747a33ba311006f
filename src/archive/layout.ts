/**
 * Where segments live under an archive root, and the checks that keep every
 * path inside it. Stream names are re-checked here even though the API has
 * checked them: a path is built from them.
 */
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { STREAM_NAME_PATTERN, type Variant } from '../config/stream-types.js';
import { invalidArgument, VigilError } from '../errors.js';
import { isBelow } from '../path-within.js';
import { US_PER_MS } from '../time.js';

export function checkStreamName(stream: string): void {
  if (!STREAM_NAME_PATTERN.test(stream)) {
    throw invalidArgument('stream', `expected 1-64 of A-Z a-z 0-9 _ -, got ${JSON.stringify(stream)}`);
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `<stream>/<YYYY>/<MM>/<DD>/<HH>/<YYYYMMDD>T<HHMMSS>.<mmm>Z.mp4` in UTC; a substream ends in `.sub.mp4`. */
export function segmentRelativePath(stream: string, variant: Variant, startUs: number): string {
  checkStreamName(stream);
  if (!Number.isSafeInteger(startUs) || startUs < 0) {
    throw invalidArgument('startUs', `expected a non-negative integer of UTC µs, got ${startUs}`);
  }
  const d = new Date(Math.floor(startUs / US_PER_MS));
  const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours()];
  const name =
    `${pad(y, 4)}${pad(mo)}${pad(day)}T${pad(h)}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}` +
    `.${pad(d.getUTCMilliseconds(), 3)}Z${variant === 'sub' ? '.sub' : ''}.mp4`;
  return [stream, pad(y, 4), pad(mo), pad(day), pad(h), name].join('/');
}

const SEGMENT_PATH =
  /^([A-Za-z0-9_-]{1,64})\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z(\.sub)?\.mp4$/;

/**
 * Reads stream, variant and start back from a path made by `segmentRelativePath`
 * (recovery of files the index does not know). Undefined for any other path.
 */
export function parseSegmentPath(
  relativePath: string,
): { stream: string; variant: Variant; startUs: number } | undefined {
  const m = SEGMENT_PATH.exec(relativePath.split(sep).join('/'));
  if (m === null) return undefined;
  const [, stream, dy, dmo, dd, dh, y, mo, d, h, mi, s, ms, sub] = m;
  if (dy !== y || dmo !== mo || dd !== d || dh !== h || stream === undefined) return undefined;
  const ms1970 = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
  // Date.UTC rolls 13/40 over to a valid date; refuse instead of inventing one.
  if (new Date(ms1970).getUTCDate() !== Number(d) || Number(mi) > 59 || Number(s) > 59) return undefined;
  return { stream, variant: sub === undefined ? 'main' : 'sub', startUs: ms1970 * US_PER_MS };
}

/**
 * Joins a relative path onto an archive root, refusing absolute paths and any
 * `..` component (lexical check; `checkInsideRootOnDisk` adds symlinks).
 */
export function resolveInsideRoot(root: string, relativePath: string): string {
  if (!isAbsolute(root)) throw invalidArgument('root', `expected an absolute path, got ${JSON.stringify(root)}`);
  if (relativePath === '' || relativePath.includes('\0') || isAbsolute(relativePath)) {
    throw invalidArgument('path', `expected a path relative to the archive root, got ${JSON.stringify(relativePath)}`);
  }
  const parts = relativePath.split(/[\\/]/);
  if (parts.some((p) => p === '..')) {
    throw invalidArgument('path', `must stay inside the archive root, got ${JSON.stringify(relativePath)}`);
  }
  const full = resolve(root, relativePath);
  if (!isBelow(resolve(root), full)) {
    throw invalidArgument('path', `must stay inside the archive root, got ${JSON.stringify(relativePath)}`);
  }
  return full;
}

/**
 * Resolves `relativePath` under `root` and follows symlinks on disk: the
 * deepest existing ancestor must still be inside the real root. A missing
 * file is fine (it is about to be created); a link out of the root is not.
 */
export async function checkInsideRootOnDisk(root: string, relativePath: string): Promise<string> {
  const full = resolveInsideRoot(root, relativePath);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (cause) {
    throw new VigilError('STORAGE_FAILED', `archive root ${root} is not accessible`, { cause });
  }
  let probe = full;
  const missing: string[] = [];
  for (;;) {
    try {
      await lstat(probe);
      break;
    } catch {
      const parent = resolve(probe, '..');
      missing.unshift(relative(parent, probe));
      if (parent === probe) break;
      probe = parent;
    }
  }
  let realProbe: string;
  try {
    realProbe = await realpath(probe);
  } catch {
    throw invalidArgument('path', `${JSON.stringify(relativePath)} goes through a symbolic link to nothing`);
  }
  const real = join(realProbe, ...missing);
  if (!isBelow(realRoot, real)) {
    throw invalidArgument('path', `resolves outside the archive root through a link: ${JSON.stringify(relativePath)}`);
  }
  return full;
}
