/** Publish keys: read from a publisher's query (compared with secret-compare.ts's sameSecret). */

/** The single value of `name` in a parsed query; a repeated or absent one is undefined. */
export function queryValue(query: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}
