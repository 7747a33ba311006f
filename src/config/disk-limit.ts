/**
 * Disk quotas as users write them: bytes as a number, a size with a unit
 * ("500G", "1.5T"; units are powers of 1024, like `df -h`), or a share of the
 * archive root's filesystem ("80%"). A percentage is resolved against the
 * filesystem when the definition is built, because retention works in bytes.
 */
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { invalidArgument } from '../errors.js';

const UNIT_EXPONENT: Record<string, number> = { '': 0, B: 0, K: 1, M: 2, G: 3, T: 4, P: 5 };
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:i?B)?$/i;
const PERCENT_PATTERN = /^(\d+(?:\.\d+)?)\s*%$/;

export type DiskLimitWire = number | string;

/** Total bytes of the filesystem holding `path` (or its nearest existing parent). */
export function filesystemSizeBytes(path: string): number {
  let current = resolve(path);
  for (;;) {
    try {
      const stats = statfsSync(current);
      return stats.blocks * stats.bsize;
    } catch (err) {
      const parent = dirname(current);
      if (parent === current) throw err;
      current = parent;
    }
  }
}

/**
 * Turns a disk limit into bytes. `field` names the key in errors; `root` is
 * the archive root a percentage refers to.
 */
export function parseDiskLimit(
  value: DiskLimitWire,
  field: string,
  root: string,
  fsSize: (path: string) => number = filesystemSizeBytes,
): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalidArgument(field, `expected bytes (>= 0), got ${value}`);
    return Math.floor(value);
  }
  const text = value.trim();
  const percent = PERCENT_PATTERN.exec(text);
  if (percent) {
    const share = Number(percent[1]);
    if (share <= 0 || share > 100)
      throw invalidArgument(field, `a percentage must be above 0 and at most 100, got "${value}"`);
    return Math.floor((fsSize(root) * share) / 100);
  }
  const size = SIZE_PATTERN.exec(text);
  if (size) {
    const exponent = UNIT_EXPONENT[(size[2] ?? '').toUpperCase()] ?? 0;
    return Math.floor(Number(size[1]) * 1024 ** exponent);
  }
  throw invalidArgument(
    field,
    `expected bytes as a number, a size like "500G" or "1.5T" (K, M, G, T, P), or a share like "80%", got "${value}"`,
  );
}
