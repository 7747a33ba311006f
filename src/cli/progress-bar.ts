/**
 * The progress of one export job on a terminal: a bar redrawn in place
 * (with `\r`, at most every `minRedrawMs`) on a TTY, and plain lines
 * elsewhere (one per step change and per 10 %), so a log file or CI output
 * stays short. Formatting is pure; the renderer takes its clock and writer.
 */

const BAR_WIDTH = 24;
export const DEFAULT_MIN_REDRAW_MS = 250;
const PLAIN_EVERY_PERCENT = 10;

/** `0:05`, `12:34`, `1:02:03`. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Seconds of media done per second of wall clock; undefined before there is anything to measure. */
export function speedOf(percent: number, mediaSeconds: number, elapsedMs: number): number | undefined {
  if (percent <= 0 || elapsedMs <= 0 || mediaSeconds <= 0) return undefined;
  return ((percent / 100) * mediaSeconds) / (elapsedMs / 1000);
}

/** Seconds left at the pace so far; undefined before there is anything to measure. */
export function etaSecondsOf(percent: number, elapsedMs: number): number | undefined {
  if (percent <= 0 || elapsedMs <= 0) return undefined;
  if (percent >= 100) return 0;
  return ((elapsedMs / 1000) * (100 - percent)) / percent;
}

/** `12.3×`, `0.8×`, `150×`. */
export function formatSpeed(speed: number): string {
  return `${speed >= 100 ? Math.round(speed) : speed.toFixed(1)}×`;
}

export interface ProgressView {
  step: string;
  percent: number;
  speed: number | undefined;
  etaSeconds: number | undefined;
}

function details(view: ProgressView): string[] {
  return [
    ...(view.speed === undefined ? [] : [`${formatSpeed(view.speed)} realtime`]),
    ...(view.etaSeconds === undefined ? [] : [`ETA ${formatClock(view.etaSeconds)}`]),
  ];
}

/** `[##########--------------]  42% encoding  3.1× realtime  ETA 0:12` */
export function formatProgressBar(view: ProgressView, width = BAR_WIDTH): string {
  const percent = Math.min(100, Math.max(0, view.percent));
  const filled = Math.round((percent / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  return [`${bar} ${String(Math.floor(percent)).padStart(3)}% ${view.step}`, ...details(view)].join('  ');
}

/** `export: encoding 40% (3.1× realtime, ETA 0:12)` */
export function formatProgressLine(view: ProgressView): string {
  const extra = details(view);
  return `export: ${view.step} ${Math.floor(view.percent)}%${extra.length === 0 ? '' : ` (${extra.join(', ')})`}`;
}

export interface ProgressRendererOptions {
  /** Redraw in place (a terminal) or print plain lines. */
  tty: boolean;
  /** Writes text as it is (no newline added). */
  write: (text: string) => void;
  /** Seconds of media the job covers, for the speed. */
  mediaSeconds: number;
  now?: () => number;
  minRedrawMs?: number;
}

export class ProgressRenderer {
  readonly #opts: ProgressRendererOptions;
  readonly #now: () => number;
  #startedAt: number | undefined;
  #step = '';
  #percent = 0;
  #lastDrawAt = Number.NEGATIVE_INFINITY;
  #lastDecile = -1;
  #drawnLength = 0;

  constructor(options: ProgressRendererOptions) {
    this.#opts = options;
    this.#now = options.now ?? Date.now;
  }

  /** A line of its own (a state change), moving the bar out of the way first. */
  message(text: string): void {
    this.#endLine();
    this.#opts.write(`${text}\n`);
  }

  /** The job started running: speed and ETA are measured from here. */
  started(): void {
    this.#startedAt ??= this.#now();
  }

  update(step: string, percent: number): void {
    this.started();
    const stepChanged = step !== this.#step;
    this.#step = step;
    this.#percent = Math.max(this.#percent, percent);
    const now = this.#now();
    if (this.#opts.tty) {
      if (!stepChanged && now - this.#lastDrawAt < (this.#opts.minRedrawMs ?? DEFAULT_MIN_REDRAW_MS)) return;
      this.#draw(now);
      return;
    }
    const decile = Math.floor(this.#percent / PLAIN_EVERY_PERCENT);
    if (!stepChanged && decile <= this.#lastDecile) return;
    this.#lastDecile = decile;
    this.#opts.write(`${formatProgressLine(this.#view(now))}\n`);
  }

  /** Draws the bar's latest state (a throttled update may be pending) and ends its line. */
  finish(): void {
    if (this.#opts.tty && this.#drawnLength > 0) this.#draw(this.#now());
    this.#endLine();
  }

  /** Wall-clock milliseconds since the job started running. */
  elapsedMs(): number {
    return this.#startedAt === undefined ? 0 : this.#now() - this.#startedAt;
  }

  #view(now: number): ProgressView {
    const elapsedMs = this.#startedAt === undefined ? 0 : now - this.#startedAt;
    return {
      step: this.#step,
      percent: this.#percent,
      speed: speedOf(this.#percent, this.#opts.mediaSeconds, elapsedMs),
      etaSeconds: etaSecondsOf(this.#percent, elapsedMs),
    };
  }

  #draw(now: number): void {
    this.#lastDrawAt = now;
    const line = formatProgressBar(this.#view(now));
    // Spaces wipe what a longer previous line left behind.
    this.#opts.write(`\r${line}${' '.repeat(Math.max(0, this.#drawnLength - line.length))}`);
    this.#drawnLength = line.length;
  }

  #endLine(): void {
    if (this.#drawnLength > 0) this.#opts.write('\n');
    this.#drawnLength = 0;
  }
}
