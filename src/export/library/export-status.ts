/**
 * The reference module's `status` object, in TypeScript naming. The states
 * and their numeric codes are the queue's own (queue/job-types.ts): this only
 * gives them the camelCase keys a library caller writes (`ExportStatus.inQueue`).
 */
import {
  exportJobStates,
  exportStateCode,
  isFinishedState,
  statesOfCode,
  type ExportJobState,
  type ExportStateCode,
} from '../queue/job-types.js';

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type StatusKeys = { readonly [S in ExportJobState as CamelCase<S>]: S };

export interface ExportStatusTable extends StatusKeys {
  /** The reference's numbers: 0 in queue, 1 exporting, 2 success, 3 failed (error and canceled). */
  codeOf(state: ExportJobState): ExportStateCode;
  /** Every state a code stands for (3 → error and canceled). */
  statesOf(code: ExportStateCode): ExportJobState[];
  /** True for success, error and canceled: states a task never leaves. */
  isFinished(state: ExportJobState): boolean;
}

function camelCase(state: string): string {
  return state.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const keys = Object.fromEntries(exportJobStates.map((state) => [camelCase(state), state])) as unknown as StatusKeys;

export const ExportStatus: ExportStatusTable = Object.freeze({
  ...keys,
  codeOf: exportStateCode,
  statesOf: statesOfCode,
  isFinished: isFinishedState,
});

/** A task's state: `in_queue`, `exporting`, `success`, `error` or `canceled`. */
export type ExportStatus = ExportJobState;
