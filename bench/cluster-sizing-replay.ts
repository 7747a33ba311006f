/**
 * Index writes as a recorder makes them, replayed from an imported stream's
 * rows into PostgreSQL: per segment an insert, one transaction per fragment
 * (insert + the segment's extent), the close and the upload confirmation.
 * Replaying instead of recording isolates the database's cost from the
 * media's, and fills a whole stream-day of rows in seconds, so table sizes
 * are read at a realistic row count rather than from a few pages.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/archive/index/database.js';
import { markSegmentUploaded } from '../src/archive/index/segment-storage.repo.js';
import { appendFragment, closeSegment, insertSegment } from '../src/archive/index/segments.repo.js';
import { segmentRelativePath } from '../src/archive/layout.js';
import type { FragmentRecord, SegmentRecord } from '../src/archive/types.js';

/** An imported stream's rows: what each replayed copy writes again. */
export interface RecordedRows {
  segments: readonly SegmentRecord[];
  fragmentsBySegment: ReadonlyMap<number, readonly FragmentRecord[]>;
  /** From the first segment's start to the last one's end. */
  spanUs: number;
}

export interface ReplayResult {
  fragments: number;
  segments: number;
  seconds: number;
}

const REPLAY_ROOT = '/srv/vigil/archive';

/** Writes `copies` back-to-back copies of `rows` as stream `stream`, one fragment transaction at a time. */
export async function replayStream(
  db: Kysely<Database>,
  rows: RecordedRows,
  stream: string,
  copies: number,
): Promise<Omit<ReplayResult, 'seconds'>> {
  let fragments = 0;
  let segments = 0;
  for (let k = 0; k < copies; k++) {
    const shiftUs = k * rows.spanUs;
    for (const s of rows.segments) {
      const startUs = s.startUs + shiftUs;
      const segment = await insertSegment(db, {
        stream,
        variant: s.variant,
        startUs,
        endUs: startUs,
        root: REPLAY_ROOT,
        path: segmentRelativePath(stream, s.variant, startUs),
        sizeBytes: s.initSizeBytes,
        initSizeBytes: s.initSizeBytes,
        tracks: s.tracks,
        codecs: s.codecs,
        closed: false,
      });
      for (const f of rows.fragmentsBySegment.get(s.id) ?? []) {
        const { segmentId: _segmentId, ...fragment } = f;
        await db
          .transaction()
          .execute((trx) =>
            appendFragment(trx, segment.id, { ...fragment, startUs: f.startUs + shiftUs, endUs: f.endUs + shiftUs }),
          );
        fragments += 1;
      }
      await closeSegment(db, segment.id);
      await markSegmentUploaded(db, segment.id);
      segments += 1;
    }
  }
  return { fragments, segments };
}

/** `writers` streams written at once (a recorder node's streams), `copies` each; the aggregate rate. */
export async function replayConcurrently(
  db: Kysely<Database>,
  rows: RecordedRows,
  streamPrefix: string,
  writers: number,
  copies: number,
): Promise<ReplayResult> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: writers }, (_, i) => replayStream(db, rows, `${streamPrefix}${i}`, copies)),
  );
  return {
    fragments: results.reduce((sum, r) => sum + r.fragments, 0),
    segments: results.reduce((sum, r) => sum + r.segments, 0),
    seconds: (performance.now() - started) / 1000,
  };
}
