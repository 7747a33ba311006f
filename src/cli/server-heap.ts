/**
 * V8 heap sizing for the long-running server.
 *
 * V8 sizes the old generation so that garbage collection takes about 3 % of
 * wall-clock time. A recorder promotes only a few hundred kB a second, so V8
 * keeps the limit a few MB above the live heap and runs a full mark-compact
 * every few seconds: each marks the whole ~30 MB heap, and together they were
 * half of `vigil serve`'s CPU at 4 streams (README "Recorder cost"). Letting
 * the heap grow to 1.5× what survived the last collection makes that one
 * collection a minute or so, for at most half the live heap in RSS.
 *
 * Only `vigil serve` sets it: a library user's process keeps V8's defaults.
 * The flag is read each time V8 recomputes its limit, so setting it after
 * start-up takes effect at the next collection.
 */
import { setFlagsFromString } from 'node:v8';

export const SERVER_HEAP_GROWING_PERCENT = 50;

export function sizeHeapForServer(execArgv: readonly string[] = process.execArgv): void {
  // An operator who passed the flag to node keeps their value.
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${SERVER_HEAP_GROWING_PERCENT}`);
}
