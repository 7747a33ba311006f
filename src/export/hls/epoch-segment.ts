/**
 * A segment file as HLS players get it: the same bytes, except that every
 * fragment's tfdt is moved from the segment's own timeline (0 at its start)
 * onto the Unix epoch. Every segment of a stream then shares one timeline, so
 * an archive or live playlist can list byte ranges of many segment files in a
 * row, and a gap is just a jump in time. The moofs come from the index (RAM),
 * the init and the mdats from the file.
 */
import type { FragmentRecord, SegmentRecord } from '../../archive/types.js';
import { VigilError } from '../../errors.js';
import { shiftDecodeTimes } from '../../mp4/shift-decode-times.js';
import { US_PER_SECOND } from '../../time.js';
import type { ByteSource, VirtualFileLayout } from '../types.js';

/** Ticks from the epoch to the segment's tfdt 0, per track. */
export function epochShiftTicks(segment: SegmentRecord): Map<number, number> {
  return new Map(
    segment.tracks.map((t) => [t.trackId, Math.round((segment.startUs * t.timescale) / US_PER_SECOND)] as const),
  );
}

/** The layout of `[0, end of the last indexed fragment)` of the segment, tfdt on the epoch timeline. */
export function epochSegmentLayout(segment: SegmentRecord, fragments: readonly FragmentRecord[]): VirtualFileLayout {
  const file = { root: segment.root, path: segment.path };
  const shift = epochShiftTicks(segment);
  const parts: ByteSource[] = [{ kind: 'file', file, offset: 0, length: segment.initSizeBytes }];
  let at = segment.initSizeBytes;
  for (const f of fragments) {
    if (f.segmentId !== segment.id) continue;
    if (f.moofOffset !== at) {
      throw new VigilError(
        'STORAGE_FAILED',
        `segment ${segment.path}: fragment ${f.sequenceNumber} starts at byte ${f.moofOffset}, expected ${at}`,
      );
    }
    parts.push({ kind: 'bytes', data: shiftDecodeTimes(f.moof, shift) });
    parts.push({ kind: 'file', file, offset: f.moofOffset + f.moofSizeBytes, length: f.mdatSizeBytes });
    at += f.moofSizeBytes + f.mdatSizeBytes;
  }
  return { sizeBytes: at, contentType: 'video/mp4', parts };
}
