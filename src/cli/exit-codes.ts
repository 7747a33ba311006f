/**
 * One table from error codes to process exit codes (sysexits.h values where
 * one fits) and the words the CLI puts before the message.
 */
import { VigilError, isVigilError, type ErrorCode, messageOf } from '../errors.js';

export const EXIT_OK = 0;

export const exitTable = {
  INVALID_ARGUMENT: { exit: 64, prefix: 'invalid argument' },
  UNKNOWN_FIELD: { exit: 64, prefix: 'unknown option or key' },
  INVALID_CONFIG: { exit: 78, prefix: 'invalid configuration' },
  UNAUTHORIZED: { exit: 77, prefix: 'not authorized' },
  FORBIDDEN: { exit: 77, prefix: 'forbidden' },
  CSRF: { exit: 77, prefix: 'refused without the session CSRF token' },
  STREAM_NOT_FOUND: { exit: 66, prefix: 'no such stream' },
  RANGE_NOT_RECORDED: { exit: 66, prefix: 'nothing recorded' },
  NOT_FOUND: { exit: 66, prefix: 'not found' },
  CONFLICT: { exit: 65, prefix: 'conflict' },
  CODEC_CHANGED: { exit: 65, prefix: 'codec change in range' },
  PAYLOAD_TOO_LARGE: { exit: 65, prefix: 'too large' },
  RANGE_NOT_SATISFIABLE: { exit: 65, prefix: 'range not satisfiable' },
  QUEUE_FULL: { exit: 75, prefix: 'queue full, try again later' },
  RATE_LIMITED: { exit: 75, prefix: 'too many failed sign-ins, try again later' },
  SOURCE_UNSUPPORTED: { exit: 65, prefix: 'unsupported source' },
  SOURCE_FAILED: { exit: 69, prefix: 'source failed' },
  PUBLISH_FAILED: { exit: 69, prefix: 'publish failed' },
  SERVER_UNAVAILABLE: { exit: 69, prefix: 'server unavailable' },
  MEDIA_INVALID: { exit: 65, prefix: 'invalid media' },
  STORAGE_FAILED: { exit: 74, prefix: 'storage error' },
  NOT_IMPLEMENTED: { exit: 69, prefix: 'not supported yet' },
  TIMEOUT: { exit: 75, prefix: 'timed out' },
  CANCELED: { exit: 130, prefix: 'canceled' },
  INTERNAL: { exit: 70, prefix: 'internal error' },
} as const satisfies Record<ErrorCode, { exit: number; prefix: string }>;

/** The exit code and the one-line message for anything a command threw. */
export function describeFailure(err: unknown): { exit: number; message: string } {
  const vigil: VigilError = isVigilError(err) ? err : new VigilError('INTERNAL', messageOf(err), { cause: err });
  const row = exitTable[vigil.code];
  return { exit: row.exit, message: `vigil: ${row.prefix}: ${vigil.message}` };
}
