/**
 * The recorder as the API sees it: one recorder per source (a channel's main
 * stream and optional substream), supervised by a manager that follows the
 * stream definitions.
 */
import type { StreamDefinition, Variant } from '../config/stream-types.js';

/** `waiting`: a publish:// source with no publisher connected (nothing is wrong). */
export type RecorderStatus = 'connecting' | 'recording' | 'retrying' | 'waiting' | 'stopped';

/** The publisher pushing into a publish:// stream. */
export interface PublisherInfo {
  /** `vigil`: a StreamPublisher opened at vigil://; `rtmp`: any other RTMP client. */
  via: 'rtmp' | 'vigil';
  /** The client's address and port. */
  client: string;
  /** UTC µs when it started publishing. */
  sinceUs: number;
}

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
  /** publish:// sources: the publisher connected now, if any. */
  publisher?: PublisherInfo;
  /** Cluster mode: the node that records this stream. */
  node?: string;
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
