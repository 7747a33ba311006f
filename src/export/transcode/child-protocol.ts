/** Messages between the runner and its child process (over the fork IPC channel, JSON). */
import type { ErrorCode } from '../../errors.js';
import type { TranscodeOptions, TranscodeStep } from './types.js';

export interface ChildStart {
  type: 'start';
  options: TranscodeOptions;
  /** Without a path the child reads its stdin. */
  input: { path?: string; durationS?: number };
  outputPath: string;
  /** Hardware encoders to try, in order, before the CPU one (only with options.hardware). */
  hardwareEncoders: string[];
}

export type ChildMessage =
  | { type: 'progress'; step: TranscodeStep; doneS: number; totalS: number }
  | { type: 'done'; videoEncoder: string; outputDurationS: number; cpuS: number }
  | {
      type: 'error';
      code: ErrorCode;
      message: string;
      /** The option at fault, when the error names one. */
      field?: string;
      /** The hardware encoder failed after it had started: the runner may retry on the CPU. */
      hardwareFailed?: boolean;
    };

export function isChildMessage(value: unknown): value is ChildMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'progress' || type === 'done' || type === 'error';
}
