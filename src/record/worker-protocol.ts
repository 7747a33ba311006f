/**
 * What a recorder's main-thread side and its worker thread say to each other.
 *
 * The worker reads the source, builds samples and fragments, and posts only
 * whole segment events: a segment's init, each fragment (the mdat in a
 * transferred buffer, which the main thread hands back for reuse once it is on
 * disk), the segment's end. The main thread owns the archive (files and the
 * SQLite index) and the attempt's life. Stop and liveness go through shared
 * memory, because the worker spends its time blocked in a read and only
 * looks between packets.
 */
import type { MessagePort } from 'node:worker_threads';
import type { NewSegment } from '../archive/types.js';
import { VigilError, errorTable, type ErrorCode, messageOf } from '../errors.js';
import type { AttemptOptions } from './recorder-attempt.js';
import type { Discontinuity } from './wall-clock.js';

/** Int32 slots of the shared flags. */
export const FLAG_STOP = 0;
/** Counts reads that brought something: the main thread's stall check watches it move. */
export const FLAG_PROGRESS = 1;
export const FLAG_COUNT = 2;

/** The attempt's options that cross into the worker: plain data only (no engine, archive, clock or callbacks). */
export type WorkerAttemptConfig = Pick<
  AttemptOptions,
  'stream' | 'variant' | 'url' | 'audio' | 'rtspTransport' | 'openTimeoutMs' | 'stallTimeoutMs' | 'fragmenter'
>;

export interface WorkerStart {
  config: WorkerAttemptConfig;
  /** Int32Array over a SharedArrayBuffer, FLAG_COUNT slots. */
  flags: Int32Array;
  /** Where the main thread hands mdat buffers back. */
  buffers: MessagePort;
}

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type WorkerMessage =
  /** The source is open and its tracks are planned: recording begins. */
  | { type: 'connected' }
  | { type: 'warn'; message: string }
  | { type: 'discontinuity'; reason: Discontinuity | 'parameters' }
  | { type: 'segment'; segment: NewSegment }
  | {
      type: 'fragment';
      sequenceNumber: number;
      startUs: number;
      endUs: number;
      startsWithKeyframe: boolean;
      moof: Uint8Array;
      /** mdat header and payloads, a view of a transferred buffer. */
      mdat: Uint8Array;
    }
  | { type: 'segment-closed' }
  /** The last message: the attempt is over, with the reason when it failed. */
  | { type: 'ended'; error: WireError | undefined };

export function toWireError(err: unknown): WireError {
  if (err instanceof VigilError) return { code: err.code, message: err.message };
  return { code: 'SOURCE_FAILED', message: messageOf(err) };
}

export function fromWireError(wire: WireError): VigilError {
  const code: ErrorCode = wire.code in errorTable ? wire.code : 'INTERNAL';
  return new VigilError(code, wire.message);
}
