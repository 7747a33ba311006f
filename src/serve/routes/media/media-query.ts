/** Query options shared by the viewer URLs, checked with errors that name the option. */
import type { Variant } from '../../../config/stream-types.js';
import { invalidArgument } from '../../../errors.js';
import type { GapMode } from '../../../export/types.js';

export type MediaQuery = Record<string, string | string[] | undefined>;

function single(query: MediaQuery, key: string): string | undefined {
  const value = query[key];
  if (Array.isArray(value)) throw invalidArgument(key, `given ${value.length} times; give it once`);
  return value;
}

export function parseBoolean(query: MediaQuery, key: string): boolean {
  const value = single(query, key);
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw invalidArgument(key, `expected true or false, got ${JSON.stringify(value)}`);
}

export function parseVariant(query: MediaQuery): Variant {
  return parseBoolean(query, 'substream') ? 'sub' : 'main';
}

export function parseGaps(query: MediaQuery): GapMode {
  const value = single(query, 'gaps') ?? 'collapse';
  if (value === 'collapse' || value === 'keep') return value;
  throw invalidArgument('gaps', `expected collapse or keep, got ${JSON.stringify(value)}`);
}

export function parseMp4Format(query: MediaQuery): 'mp4' | 'fmp4' {
  const value = single(query, 'format') ?? 'mp4';
  if (value === 'mp4' || value === 'fmp4') return value;
  throw invalidArgument(
    'format',
    `expected mp4 (progressive, moov first) or fmp4 (fragmented), got ${JSON.stringify(value)}`,
  );
}

export function queryString(query: MediaQuery, key: string): string | undefined {
  return single(query, key);
}

/** `?token=` carried into the URLs a playlist lists, so a player that got in with it keeps getting in. */
export function withToken(uri: string, query: MediaQuery): string {
  const token = single(query, 'token');
  return token === undefined ? uri : `${uri}?token=${encodeURIComponent(token)}`;
}
