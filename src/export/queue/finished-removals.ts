/**
 * Auto-removal of finished jobs from the task list (`cancel_task_with_states`
 * after `remove_finished_after`), shared by the in-process and the pg-boss
 * queue: which states go, the delay, and timers that never keep the process
 * alive and are cleared on stop (the next start, or another node's sweep,
 * removes what was pending).
 */
import type { ExportJobState, QueueLogger } from './job-types.js';
import { autoRemovalStates } from './queue-options.js';

export class FinishedJobRemovals {
  #states: Set<ExportJobState>;
  readonly #delayMs: number;
  readonly #logger: QueueLogger;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(states: readonly ExportJobState[], delayMs: number, logger: QueueLogger) {
    this.#states = autoRemovalStates(states);
    this.#delayMs = delayMs;
    this.#logger = logger;
  }

  get states(): readonly ExportJobState[] {
    return [...this.#states];
  }

  /** Applies to jobs that finish from now on. */
  set states(states: readonly ExportJobState[]) {
    this.#states = autoRemovalStates(states);
  }

  removes(state: ExportJobState): boolean {
    return this.#states.has(state);
  }

  /**
   * Removes a job that finished in `state` when its state says so: at once without a delay (`removeNow`, awaited:
   * the in-process queue chains it behind the job's own writes), else `remove` later.
   */
  async schedule(
    id: string,
    state: ExportJobState,
    remove: () => Promise<void>,
    removeNow: () => Promise<void> = remove,
  ): Promise<void> {
    if (!this.#states.has(state)) return;
    if (this.#delayMs <= 0) return removeNow();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      remove().catch((err: unknown) =>
        this.#logger.warn({ id, err }, 'export queue: could not remove a finished job from the list'),
      );
    }, this.#delayMs);
    // A pending removal must not keep the process alive.
    timer.unref();
    this.#timers.add(timer);
  }

  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
