/**
 * `runTranscode`: one transcode in a child process (child.ts) that can be
 * killed. The parent pipes the input into the child's stdin with
 * backpressure, relays progress, and owns every way out: done, failed
 * (cleaned engine message), canceled or timed out (child killed, partial
 * output removed).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VigilError, messageOf } from '../../errors.js';
import { checkTranscodeOptions } from './check-options.js';
import { isChildMessage, type ChildMessage, type ChildStart } from './child-protocol.js';
import { cleanEngineMessage } from './engine-message.js';
import { DEFAULT_HARDWARE_ENCODERS } from './hardware-encoder.js';
import { chapterTempPath } from './mp4-chapters.js';
import type { RunTranscodeArgs, TranscodeProgress, TranscodeResult, TranscodeStep } from './types.js';

/** How long the child gets to leave on SIGTERM before SIGKILL: a cancel must land within a second. */
const TERM_GRACE_MS = 300;
const PROGRESS_HEARTBEAT_MS = 1_000;
const STDERR_KEEP_BYTES = 8_192;

const here = fileURLToPath(import.meta.url);
/** The same file kind as this module: child.ts under tsx (dev, tests), child.js from dist. */
const CHILD_ENTRY = join(dirname(here), here.endsWith('.ts') ? 'child.ts' : 'child.js');

/** @internal Test hook: the hardware encoders to offer the child instead of the defaults. */
export interface RunTranscodeInternals {
  hardwareEncoders?: string[];
  /** Called with the child's pid once it is started. */
  onChild?: (pid: number) => void;
}

export async function runTranscode(
  args: RunTranscodeArgs,
  internals: RunTranscodeInternals = {},
): Promise<TranscodeResult> {
  if (args.signal?.aborted === true) throw canceled();
  // A bad option fails here, with its field, before a child is started.
  checkTranscodeOptions(args.options);
  const progress = new ProgressRelay(args.onProgress);
  const hardwareEncoders = internals.hardwareEncoders ?? DEFAULT_HARDWARE_ENCODERS;
  try {
    try {
      return await runOnce(args, hardwareEncoders, progress, internals);
    } catch (err) {
      // A hardware encoder that fails mid-way: again on the CPU, if the input can be read again.
      if (!(err instanceof HardwareFailure) || args.input.path === undefined) throw unwrap(err);
      progress.step = 'encoding_retry';
      progress.emit();
      await rm(args.outputPath, { force: true });
      return await runOnce({ ...args, options: { ...args.options, hardware: false } }, [], progress, internals);
    }
  } catch (err) {
    await rm(args.outputPath, { force: true });
    await rm(chapterTempPath(args.outputPath), { force: true });
    throw unwrap(err);
  } finally {
    progress.stop();
  }
}

class HardwareFailure extends Error {
  constructor(readonly error: VigilError) {
    super(error.message);
  }
}

function unwrap(err: unknown): unknown {
  return err instanceof HardwareFailure ? err.error : err;
}

function runOnce(
  args: RunTranscodeArgs,
  hardwareEncoders: string[],
  progress: ProgressRelay,
  internals: RunTranscodeInternals,
): Promise<TranscodeResult> {
  const { input, outputPath, options, signal, timeoutMs } = args;
  const knownPaths = [outputPath, ...(input.path === undefined ? [] : [input.path]), dirname(here)];
  const child = fork(CHILD_ENTRY, [], {
    execArgv: childExecArgv(),
    stdio: [input.path === undefined ? 'pipe' : 'ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  if (child.pid !== undefined) internals.onChild?.(child.pid);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_BYTES);
  });

  return new Promise<TranscodeResult>((resolve, reject) => {
    let outcome: ChildMessage | undefined;
    let stopReason: VigilError | undefined;
    const stopInput = new AbortController();
    const stop = (reason: VigilError): void => {
      if (stopReason !== undefined) return;
      stopReason = reason;
      stopInput.abort();
      killWithGrace(child);
    };
    const onAbort = (): void => stop(canceled());
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => stop(new VigilError('TIMEOUT', `transcode: not done after ${timeoutMs} ms`)), timeoutMs);

    child.on('message', (message: unknown) => {
      if (!isChildMessage(message)) return;
      if (message.type === 'progress') progress.update(message.step, message.doneS, message.totalS);
      else outcome = message;
    });
    child.once('error', (err) =>
      stop(new VigilError('INTERNAL', `transcode: the child process failed: ${err.message}`)),
    );
    child.once('exit', (code, exitSignal) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stopInput.abort();
      if (stopReason !== undefined) return reject(stopReason);
      if (outcome?.type === 'done' && code === 0) {
        return resolve({
          videoEncoder: outcome.videoEncoder,
          outputDurationS: outcome.outputDurationS,
          cpuS: outcome.cpuS,
        });
      }
      if (outcome?.type === 'error') {
        const error = new VigilError(outcome.code, cleanEngineMessage(`transcode: ${outcome.message}`, knownPaths), {
          ...(outcome.field === undefined ? {} : { field: outcome.field }),
        });
        return reject(outcome.hardwareFailed === true ? new HardwareFailure(error) : error);
      }
      const why = exitSignal !== null ? `was killed by ${exitSignal}` : `exited with code ${code}`;
      const lastLine = stderr.trim().split('\n').pop() ?? '';
      const detail = lastLine === '' ? '' : `: ${lastLine}`;
      reject(new VigilError('MEDIA_INVALID', cleanEngineMessage(`transcode: the engine ${why}${detail}`, knownPaths)));
    });

    const start: ChildStart = {
      type: 'start',
      options,
      input: {
        ...(input.path === undefined ? {} : { path: input.path }),
        ...(input.durationS === undefined ? {} : { durationS: input.durationS }),
      },
      outputPath,
      hardwareEncoders,
    };
    child.send(start);
    if (input.path === undefined && child.stdin !== null) {
      void pipeInput(input.bytes, child, stopInput.signal).catch((err: unknown) =>
        stop(new VigilError('SOURCE_FAILED', `transcode: reading the input failed: ${messageOf(err)}`, { cause: err })),
      );
    }
  });
}

/** Writes the input into the child's stdin, waiting for 'drain' whenever the pipe is full. */
async function pipeInput(
  bytes: AsyncIterable<Uint8Array> | undefined,
  child: ChildProcess,
  stop: AbortSignal,
): Promise<void> {
  const stdin = child.stdin;
  if (stdin === null) return;
  // The child may leave before reading everything (it failed, or was killed): its exit says why.
  stdin.on('error', () => undefined);
  if (bytes === undefined) throw new VigilError('INVALID_ARGUMENT', 'input: give bytes or a path', { field: 'input' });
  const iterator = bytes[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (stop.aborted || stdin.destroyed) return;
      const next = await iterator.next();
      if (next.done === true) break;
      if (!stdin.write(next.value)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stdin.off('drain', done);
            stdin.off('close', done);
            stop.removeEventListener('abort', done);
            resolve();
          };
          stdin.on('drain', done);
          stdin.on('close', done);
          stop.addEventListener('abort', done, { once: true });
        });
      }
    }
    stdin.end();
  } finally {
    if (stop.aborted || stdin.destroyed) await iterator.return?.();
  }
}

function killWithGrace(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, TERM_GRACE_MS);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

/**
 * The parent's loader flags (`--import tsx` in dev and tests), less those that
 * would make the child a test runner, a watcher or a second debugger (node
 * passes these only in their `--flag=value` form, or bare).
 */
function childExecArgv(): string[] {
  return process.execArgv.filter((arg) => !/^--(test|inspect|watch|debug)/.test(arg));
}

/** Progress that never goes backwards, repeated at least once a second while the child works. */
class ProgressRelay {
  step: TranscodeStep = 'encoding';
  private doneS = 0;
  private totalS = 0;
  private lastEmitMs = 0;
  private readonly heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly onProgress: ((progress: TranscodeProgress) => void) | undefined) {
    if (onProgress === undefined) return;
    this.heartbeat = setInterval(() => {
      // Nothing to repeat before the child has said how long the output will be.
      if (this.totalS > 0 && Date.now() - this.lastEmitMs >= PROGRESS_HEARTBEAT_MS) this.emit();
    }, PROGRESS_HEARTBEAT_MS / 2);
    this.heartbeat.unref();
  }

  update(step: TranscodeStep, doneS: number, totalS: number): void {
    if (step === 'encoding_retry') this.step = step;
    if (totalS > 0) this.totalS = totalS;
    if (doneS > this.doneS) this.doneS = doneS;
    this.emit();
  }

  emit(): void {
    this.lastEmitMs = Date.now();
    this.onProgress?.({ step: this.step, doneS: this.doneS, totalS: this.totalS });
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }
}

function canceled(): VigilError {
  return new VigilError('CANCELED', 'transcode: canceled');
}
