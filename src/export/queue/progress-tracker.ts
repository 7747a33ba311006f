/**
 * Keeps a running job's progress honest whatever the runner reports: the
 * percent never goes backwards (a CPU retry starts its encoder at 0 again,
 * the bar does not), stays below 100 until the job has succeeded, and an
 * unknown step or a non-finite percent leaves the value as it was.
 */
import { type ExportStep, exportSteps } from './job-types.js';

/** The most a running job shows: 100 is kept for success. */
export const MAX_RUNNING_PERCENT = 99;

export class ProgressTracker {
  #step: ExportStep;
  #percent: number;

  constructor(step: ExportStep = 'preparing', percent = 0) {
    this.#step = step;
    this.#percent = clampPercent(percent, 0);
  }

  get step(): ExportStep {
    return this.#step;
  }

  get percent(): number {
    return this.#percent;
  }

  /** Applies a report; returns which parts changed. */
  report(step: ExportStep, percent: number): { stepChanged: boolean; percentChanged: boolean } {
    const nextStep = exportSteps.includes(step) ? step : this.#step;
    const nextPercent = clampPercent(percent, this.#percent);
    const changed = { stepChanged: nextStep !== this.#step, percentChanged: nextPercent !== this.#percent };
    this.#step = nextStep;
    this.#percent = nextPercent;
    return changed;
  }
}

/** One decimal is what a progress bar shows; finer steps would only add events. */
function clampPercent(percent: number, floor: number): number {
  if (!Number.isFinite(percent)) return floor;
  const rounded = Math.floor(percent * 10) / 10;
  return Math.max(floor, Math.min(MAX_RUNNING_PERCENT, rounded));
}
