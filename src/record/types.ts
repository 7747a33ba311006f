/**
 * The recorder as the API sees it: one recorder per source (a channel's main
 * stream and optional substream), supervised by a manager that follows the
 * stream definitions.
 */
import type { StreamDefinition, Variant } from '../config/stream-types.js';

export type RecorderStatus = 'connecting' | 'recording' | 'retrying' | 'stopped';

export interface RecorderError {
  code: string;
  message: string;
  atUs: number;
}

export interface RecorderState {
  variant: Variant;
  status: RecorderStatus;
  /** UTC µs when the current status began. */
  sinceUs: number;
  /** The error that caused the last retry, kept until the next success. */
  lastError: RecorderError | undefined;
  /** While retrying: UTC µs of the next attempt. */
  nextAttemptAtUs: number | undefined;
  /** UTC µs of the last packet written. */
  lastPacketAtUs: number | undefined;
  segmentsWritten: number;
  bytesWritten: number;
  /** RFC 6381 codec strings of the current segment, e.g. `avc1.640028,mp4a.40.2`. */
  codecs: string | undefined;
}

/** What the API layer drives: recording follows the stream definitions. */
export interface RecordingControl {
  /** Starts, restarts (if the source changed) or stops recording to match `def`. */
  apply(def: StreamDefinition): Promise<void>;
  /** Stops recording a stream (its archive is untouched). */
  remove(name: string): Promise<void>;
  /** Live state of a stream's recorders; empty when it is not recording. */
  states(name: string): RecorderState[];
  /** Stops every recorder, closing open segments cleanly. */
  stopAll(): Promise<void>;
}
