/** Progress arithmetic for the exports panel: ETA from the rate so far, sizes and durations for people. Pure. */

/**
 * Seconds left at the average rate since `startedAtMs`, or undefined while
 * there is too little to go on (no progress yet, or under a second of it).
 */
export function estimateEtaSeconds(startedAtMs: number, nowMs: number, percent: number): number | undefined {
  const elapsedMs = nowMs - startedAtMs;
  if (!(percent > 0) || percent >= 100 || elapsedMs < 1000) return undefined;
  return Math.round(((elapsedMs / percent) * (100 - percent)) / 1000);
}

/** `0:41`, `12:05`, `1:02:03` */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Decimal units, as file managers show them: `1.5 MB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}
