/**
 * FFmpeg's filter-graph syntax unescapes twice: the graph parser splits
 * filters on `,;[]` and takes off one level of quoting, then the filter's
 * option parser splits on `:` and takes off another. A value with a comma, a
 * colon, a quote or a backslash (a path, a channel title, an expression)
 * survives both only when escaped for the option level and then quoted for
 * the graph level, in that order.
 */

/** `value` as one option value (the `v` of `k=v`), safe at both levels. */
export function filterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  if (!/[\\':,;[\]\s=]/.test(optionLevel)) return optionLevel;
  // Inside single quotes the graph level keeps every byte, so only a quote
  // itself needs to close the string, be escaped, and reopen it.
  return `'${optionLevel.replace(/'/g, `'\\''`)}'`;
}

/** `name=k1=v1:k2=v2`, the values escaped; undefined values are left out. */
export function filterCall(
  name: string,
  options: ReadonlyArray<readonly [string, string | number | undefined]>,
): string {
  const args = options
    .filter((entry): entry is readonly [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? formatNumber(value) : filterValue(value)}`);
  return args.length === 0 ? name : `${name}=${args.join(':')}`;
}

/** A number as FFmpeg's expression parser reads it: no exponent, at most 6 decimals, no trailing zeros. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const fixed = value.toFixed(6).replace(/\.?0+$/, '');
  return fixed === '-0' ? '0' : fixed;
}
