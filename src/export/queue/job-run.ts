/**
 * One call of a runner, bounded after a cancel: once the signal aborts, the
 * runner gets `graceMs` to settle; a runner that ignores the signal is
 * reported as unresponsive instead of holding its job (and its slot) forever.
 */
import { isVigilError } from '../../errors.js';
import type { ExportJobError, RunResult } from './job-types.js';

export type RunOutcome =
  | { kind: 'done'; result: RunResult }
  | { kind: 'failed'; error: ExportJobError }
  /** `settled` resolves if the runner ever finishes, so what it wrote late can be removed. */
  | { kind: 'unresponsive'; settled: Promise<void> };

export function runWithGrace(run: () => Promise<RunResult>, signal: AbortSignal, graceMs: number): Promise<RunOutcome> {
  const settled: Promise<RunOutcome> = Promise.resolve()
    .then(run)
    .then(
      (result) => checkResult(result),
      (error: unknown) => ({ kind: 'failed', error: jobErrorOf(error) }),
    );
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => resolve({ kind: 'unresponsive', settled: settled.then(() => undefined) }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void settled.then((outcome) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    });
  });
}

/** A runner's result crosses a boundary we do not type-check at run time: check it here. */
function checkResult(result: unknown): RunOutcome {
  const r = result as Partial<RunResult> | null | undefined;
  if (
    typeof r?.filePath === 'string' &&
    r.filePath !== '' &&
    typeof r.bytes === 'number' &&
    Number.isSafeInteger(r.bytes) &&
    r.bytes >= 0
  ) {
    return { kind: 'done', result: { filePath: r.filePath, bytes: r.bytes } };
  }
  return {
    kind: 'failed',
    error: {
      code: 'INTERNAL',
      message: `the export runner returned ${JSON.stringify(result) ?? String(result)}; expected { filePath, bytes }`,
    },
  };
}

const MAX_MESSAGE_CHARS = 500;

/** The runner's code when it threw a VigilError; its message on one line and bounded (engine output can be long). */
export function jobErrorOf(error: unknown): ExportJobError {
  const raw = error instanceof Error ? error.message : String(error);
  const oneLine = raw.replace(/\s+/g, ' ').trim() || 'the export failed without a message';
  const message = oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS - 1)}…` : oneLine;
  return { code: isVigilError(error) ? error.code : 'INTERNAL', message };
}
