/**
 * One table of error codes for all of Vigil. Each code has an HTTP status and
 * a message template; `VigilError` carries the code, the status, the field the
 * user got wrong (if any) and the underlying cause. The HTTP layer maps any
 * VigilError to `{ "error": { code, message, field } }` with `status`.
 *
 * Add a row here before throwing a new code; docs/errors.md lists every row.
 */
export const errorTable = {
  INVALID_ARGUMENT: { status: 400, summary: 'a request field has a wrong value' },
  UNKNOWN_FIELD: { status: 400, summary: 'a request or config has a key Vigil does not know' },
  INVALID_CONFIG: { status: 400, summary: 'the configuration file is not valid' },
  UNAUTHORIZED: { status: 401, summary: 'credentials are missing or wrong' },
  FORBIDDEN: { status: 403, summary: 'the credentials do not allow this' },
  CSRF: { status: 403, summary: "a signed-in change came without the session's X-CSRF-Token header" },
  STREAM_NOT_FOUND: { status: 404, summary: 'no stream has that name' },
  RANGE_NOT_RECORDED: { status: 404, summary: 'nothing is recorded in that time range' },
  NOT_FOUND: { status: 404, summary: 'no such resource' },
  CONFLICT: { status: 409, summary: 'the request conflicts with the current state' },
  CODEC_CHANGED: { status: 409, summary: 'the range crosses a codec change: split it where the message says' },
  PAYLOAD_TOO_LARGE: { status: 413, summary: 'the request body is too large' },
  RANGE_NOT_SATISFIABLE: { status: 416, summary: 'the byte range is outside the file' },
  QUEUE_FULL: { status: 429, summary: 'the queue is full' },
  RATE_LIMITED: { status: 429, summary: 'too many failed sign-ins: wait for Retry-After seconds' },
  SOURCE_UNSUPPORTED: { status: 400, summary: 'the source URL scheme or codec is not supported' },
  SOURCE_FAILED: { status: 502, summary: 'the source could not be opened or read' },
  PUBLISH_FAILED: { status: 502, summary: 'the publish output could not be opened or written' },
  SERVER_UNAVAILABLE: { status: 503, summary: 'the Vigil server could not be reached' },
  MEDIA_INVALID: { status: 422, summary: 'the media could not be parsed' },
  STORAGE_FAILED: { status: 500, summary: 'reading or writing the archive failed' },
  NOT_IMPLEMENTED: { status: 501, summary: 'this is not supported yet' },
  TIMEOUT: { status: 504, summary: 'an operation did not finish in time' },
  CANCELED: { status: 499, summary: 'the operation was canceled' },
  INTERNAL: { status: 500, summary: 'an unexpected error' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorTable;

export interface VigilErrorOptions {
  /** The request or config field the user got wrong, as a path (`dvr.expiration`). */
  field?: string;
  cause?: unknown;
}

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.status = errorTable[code].status;
    this.field = options.field;
  }

  toJSON(): { error: { code: ErrorCode; message: string; field?: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
      },
    };
  }
}

/** A field has a wrong value: the message names the field, what was given and what is allowed. */
export function invalidArgument(field: string, message: string): VigilError {
  return new VigilError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

export function isVigilError(err: unknown, code?: ErrorCode): err is VigilError {
  return err instanceof VigilError && (code === undefined || err.code === code);
}

/** The text of anything thrown (an Error's message, else its string form), for logs and error fields. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
