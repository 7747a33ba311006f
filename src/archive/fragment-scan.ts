/**
 * Finds the complete fragments (moof + mdat) in a segment file's bytes, for
 * recovery. Pure: bytes in, fragment rows and the offset where the good part
 * of the file ends out.
 */
import { readFragment, scanBoxes } from '../mp4/index.js';
import type { BoxLocation, TrackConfig, TrackDefaults } from '../mp4/types.js';
import { fragmentTimesUs, startsWithKeyframe, timingRun } from './fragment-time.js';
import type { FragmentInsert } from './index/segments.repo.js';
import { messageOf } from '../errors.js';

/** Complete top-level boxes that may sit between fragments and are kept as they are. */
const PASSIVE_BOXES = new Set(['free', 'skip', 'styp', 'sidx', 'prft', 'emsg', 'mfra', 'udta', 'uuid']);

// Longest box header: size, type, 64-bit largesize.
const MAX_HEADER_BYTES = 16;

export type NextBox = { kind: 'box'; box: BoxLocation } | { kind: 'end' } | { kind: 'torn'; why: string };

/**
 * The box starting at `at`, read from its header only, so garbage later in the
 * file cannot hide it. A box that runs past the end, a cut header, an
 * impossible size, or a size of 0 ("to the end": never written by Vigil or by
 * ffmpeg between fragments, but what a zero-filled torn tail looks like) is torn.
 */
export function nextBox(buf: Uint8Array, at: number): NextBox {
  if (at >= buf.length) return { kind: 'end' };
  const headerEnd = Math.min(buf.length, at + MAX_HEADER_BYTES);
  let found: BoxLocation | undefined;
  try {
    found = scanBoxes(buf, at, headerEnd)[0];
  } catch (err) {
    return { kind: 'torn', why: messageOf(err) };
  }
  if (found === undefined) return { kind: 'torn', why: `box header at ${at} is cut short` };
  if (buf[at] === 0 && buf[at + 1] === 0 && buf[at + 2] === 0 && buf[at + 3] === 0) {
    return { kind: 'torn', why: `box at ${at} declares size 0` };
  }
  if (found.offset + found.size > buf.length) {
    return { kind: 'torn', why: `"${found.type}" at ${at} needs ${found.size} bytes, ${buf.length - at} are left` };
  }
  return { kind: 'box', box: found };
}

export interface FragmentScan {
  fragments: FragmentInsert[];
  /** End of the last complete, understood box: where the file should end. */
  validEnd: number;
  /** Why the scan stopped before the end of the file, if it did. */
  stoppedBecause?: string;
  /** Whether the bytes after `validEnd` are a torn write (safe to truncate) rather than something not understood. */
  tornTail: boolean;
}

export interface ScanTiming {
  segmentStartUs: number;
  /** The timing track's tfdt in the segment's first fragment; taken from the first one scanned when absent. */
  firstBaseDecodeTime?: number;
}

export function scanFragments(
  buf: Uint8Array,
  start: number,
  tracks: readonly TrackConfig[],
  trexDefaults: readonly TrackDefaults[],
  timing: ScanTiming,
): FragmentScan {
  const fragments: FragmentInsert[] = [];
  let firstBase = timing.firstBaseDecodeTime;
  let at = start;
  for (;;) {
    const next = nextBox(buf, at);
    if (next.kind === 'end') return { fragments, validEnd: at, tornTail: false };
    if (next.kind === 'torn') return { fragments, validEnd: at, stoppedBecause: next.why, tornTail: true };
    const box = next.box;
    if (PASSIVE_BOXES.has(box.type)) {
      at = box.offset + box.size;
      continue;
    }
    if (box.type !== 'moof') {
      return { fragments, validEnd: at, stoppedBecause: `unexpected "${box.type}" box at ${at}`, tornTail: false };
    }
    const mdat = nextBox(buf, box.offset + box.size);
    if (mdat.kind !== 'box') {
      const why = mdat.kind === 'torn' ? mdat.why : `moof at ${at} has no mdat`;
      return { fragments, validEnd: at, stoppedBecause: why, tornTail: true };
    }
    if (mdat.box.type !== 'mdat') {
      return {
        fragments,
        validEnd: at,
        stoppedBecause: `moof at ${at} is followed by "${mdat.box.type}"`,
        tornTail: false,
      };
    }
    const moof = buf.slice(box.offset, box.offset + box.size);
    let fragment: FragmentInsert;
    try {
      const info = readFragment(moof, trexDefaults, box.offset);
      firstBase ??= timingRun(info, tracks).baseMediaDecodeTime;
      const times = fragmentTimesUs(timing.segmentStartUs, firstBase, info, tracks);
      fragment = {
        sequenceNumber: info.sequenceNumber,
        startUs: times.startUs,
        endUs: times.endUs,
        moofOffset: box.offset,
        moofSizeBytes: box.size,
        mdatSizeBytes: mdat.box.size,
        startsWithKeyframe: startsWithKeyframe(info, tracks),
        moof,
      };
    } catch (err) {
      const why = `moof at ${at}: ${messageOf(err)}`;
      return { fragments, validEnd: at, stoppedBecause: why, tornTail: false };
    }
    fragments.push(fragment);
    at = mdat.box.offset + mdat.box.size;
  }
}

/** The init segment's extent: everything up to the end of the moov, or undefined when there is no complete moov. */
export function findInitEnd(buf: Uint8Array): number | undefined {
  let at = 0;
  for (;;) {
    const next = nextBox(buf, at);
    if (next.kind !== 'box') return undefined;
    at = next.box.offset + next.box.size;
    if (next.box.type === 'moov') return at;
  }
}
