/**
 * The archive's domain shapes and the write contract the recorder uses.
 * Times are UTC microseconds; sizes are bytes.
 */
import type { Variant } from '../config/stream-types.js';
import type { TrackConfig } from '../mp4/types.js';

export interface SegmentRecord {
  id: number;
  stream: string;
  variant: Variant;
  /** UTC µs of the first sample's presentation. */
  startUs: number;
  /** UTC µs just after the last complete fragment (start + duration). */
  endUs: number;
  /** Absolute archive root the path is relative to. */
  root: string;
  /** Path relative to `root`: `<stream>/<YYYY>/<MM>/<DD>/<HH>/<start>.mp4`. */
  path: string;
  /** Bytes of the file that are indexed (init + complete fragments). */
  sizeBytes: number;
  /** Size of the init segment (ftyp + moov) at the start of the file. */
  initSizeBytes: number;
  tracks: TrackConfig[];
  /** RFC 6381 codec strings, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: string;
  /** False while the recorder is still appending to it. */
  closed: boolean;
}

export interface FragmentRecord {
  segmentId: number;
  sequenceNumber: number;
  startUs: number;
  endUs: number;
  /** Offset of the moof in the segment file. */
  moofOffset: number;
  moofSizeBytes: number;
  /** Whole mdat, header included. */
  mdatSizeBytes: number;
  /** Whether the fragment starts with a video keyframe (or has no video). */
  startsWithKeyframe: boolean;
  /** The moof bytes themselves: the compact sample table the exporter plans from. */
  moof: Uint8Array;
}

export interface RecordedRange {
  fromUs: number;
  durationUs: number;
}

export interface LockRecord {
  id: number;
  stream: string;
  fromUs: number;
  durationUs: number;
  createdAtUs: number;
}

/**
 * How urgent an event is, lowest first. `info` (a note), `warning` (worth a
 * look), `alert` (a detection someone should review: person, vehicle, line
 * crossed), `critical` (needs action now: intrusion, tampering).
 */
export type EventSeverity = 'info' | 'warning' | 'alert' | 'critical';

/**
 * A box over the picture from `tUs` until the event's next box or its end.
 * x, y, w, h are fractions of the picture (0..1, origin top-left).
 */
export interface EventBox {
  /** UTC µs: absolute, like every time in the archive, so a box needs no event to be read. */
  tUs: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Something that happened on a stream over `[startUs, endUs]` (an instant when they are equal). */
export interface StreamEventRecord {
  id: number;
  stream: string;
  startUs: number;
  endUs: number;
  label: string;
  severity: EventSeverity;
  /** Ordered by tUs, all within [startUs, endUs]. */
  boxes: EventBox[];
  createdAtUs: number;
}

/** An event as a caller adds it (the archive assigns id and createdAtUs). */
export type NewStreamEvent = Omit<StreamEventRecord, 'id' | 'createdAtUs' | 'boxes'> & { boxes?: EventBox[] };

/** What the recorder hands the archive when a segment begins. */
export interface NewSegment {
  stream: string;
  variant: Variant;
  startUs: number;
  tracks: TrackConfig[];
  /** ftyp + moov bytes, written at the start of the file. */
  initSegment: Uint8Array;
}

/** One fragment to append: the moof, then the mdat header and payloads, written in order. */
export interface NewFragment {
  sequenceNumber: number;
  startUs: number;
  endUs: number;
  startsWithKeyframe: boolean;
  moof: Uint8Array;
  /** mdat header followed by sample payloads; written after `moof` without copying them together. */
  mdatChunks: Uint8Array[];
}

/** An open segment file the recorder appends to. Calls are serialized by the caller. */
export interface SegmentAppender {
  readonly segment: SegmentRecord;
  appendFragment(fragment: NewFragment): Promise<void>;
  /** Flushes to disk and marks the segment closed in the index. */
  close(): Promise<void>;
}

/** The archive's write side, as the recorder sees it. */
export interface ArchiveWriter {
  openSegment(segment: NewSegment): Promise<SegmentAppender>;
}

/** Where a segment file lives; a SegmentByteReader resolves it (local disk now, object storage in cluster mode). */
export interface SegmentFileRef {
  root: string;
  /** Relative to root. */
  path: string;
}

/** Reads bytes of segment files. The local implementation reads the disk; cluster mode reads object storage. */
export interface SegmentByteReader {
  /** Where the bytes come from, for usage accounting. */
  readonly source: 'disk' | 'remote';
  /**
   * Yields exactly `length` bytes from `offset` in chunks, or throws; stops when `signal` aborts.
   * With a `pool`, chunks may be the pool's buffers: the consumer gives each back with `pool.release`
   * once it is done with it (for a socket: when the write has completed).
   */
  read(
    file: SegmentFileRef,
    offset: number,
    length: number,
    signal: AbortSignal,
    pool?: ChunkPool,
  ): AsyncIterable<Uint8Array>;
}

/** Reusable read buffers (archive/chunk-pool.ts `BufferPool`). */
export interface ChunkPool {
  readonly chunkBytes: number;
  /** A buffer of `chunkBytes`; waits while all are lent out; rejects when `signal` aborts. */
  acquire(signal: AbortSignal): Promise<Buffer>;
  /** Gives back a buffer from `acquire` (or a view of it); anything else is ignored. */
  release(chunk: Uint8Array): void;
}
