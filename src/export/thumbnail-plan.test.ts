import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fragmentTimesUs } from '../archive/fragment-time.js';
import { audioTrack, videoTrack } from '../archive/testing/fixtures.js';
import type { FragmentRecord, SegmentRecord } from '../archive/types.js';
import { isVigilError } from '../errors.js';
import { buildFragment } from '../mp4/fragment.js';
import type { FragmentRun } from '../mp4/fragment.js';
import type { SampleInfo, TrackConfig } from '../mp4/types.js';
import {
  parseThumbnailMethod,
  parseThumbnailWidth,
  planThumbnail,
  thumbnailSelection,
  type ThumbnailPlan,
} from './thumbnail-plan.js';
import type { PlanInput } from './types.js';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0) * 1000;
const FRAME_TICKS = 3_600; // 25 fps at 90 kHz
const FRAME_US = 40_000;
const INIT_BYTES = 700;

/** One video frame in decode order: keyframe or not, and where it is shown (frames after its decode time). */
interface FrameSpec {
  key: boolean;
  /** Composition offset in frames (B-frame reordering); 0 by default. */
  cto?: number;
}

interface BuiltSegment {
  segment: SegmentRecord;
  fragments: FragmentRecord[];
  /** The whole file, to check that planned offsets point at the right payloads. */
  bytes: Uint8Array;
}

/** Frame `n` of a GOP of `gop` frames with no reordering. */
function ipp(count: number, gop: number, first = 0): FrameSpec[] {
  return Array.from({ length: count }, (_, i) => ({ key: (first + i) % gop === 0 }));
}

/**
 * A segment built with the real moof writer: each fragment is a list of video
 * frames (each payload starts with its frame number in the segment, as 4 bytes),
 * optionally preceded in the mdat by an audio run.
 */
function buildSegment(id: number, startUs: number, fragmentFrames: FrameSpec[][], withAudio = false): BuiltSegment {
  const tracks: TrackConfig[] = withAudio ? [videoTrack, audioTrack] : [videoTrack];
  const parts: Uint8Array[] = [new Uint8Array(INIT_BYTES)];
  let offset = INIT_BYTES;
  let frame = 0;
  let audioTicks = 0;
  const fragments: FragmentRecord[] = [];
  fragmentFrames.forEach((frames, index) => {
    const videoSamples: SampleInfo[] = frames.map((f, i) => ({
      durationTicks: FRAME_TICKS,
      sizeBytes: 100 + ((frame + i) % 7),
      isSync: f.key,
      compositionOffsetTicks: (f.cto ?? 0) * FRAME_TICKS,
    }));
    const video: FragmentRun = {
      trackId: videoTrack.trackId,
      baseMediaDecodeTime: frame * FRAME_TICKS,
      samples: videoSamples,
      payloads: videoSamples.map((s, i) => payload(frame + i, s.sizeBytes)),
    };
    frame += frames.length;
    const runs: FragmentRun[] = [video];
    if (withAudio) {
      const samples: SampleInfo[] = [0, 1, 2].map(() => ({
        durationTicks: 1024,
        sizeBytes: 33,
        isSync: true,
        compositionOffsetTicks: 0,
      }));
      // Audio first in the mdat, so video offsets must skip it.
      runs.unshift({
        trackId: audioTrack.trackId,
        baseMediaDecodeTime: audioTicks,
        samples,
        payloads: samples.map(() => new Uint8Array(33).fill(0xaa)),
      });
      audioTicks += 3 * 1024;
    }
    const { moof, mdatChunks } = buildFragment(index + 1, runs);
    const info = { sequenceNumber: index + 1, runs: runs.map((r) => ({ ...r, dataOffset: 0 })) };
    const times = fragmentTimesUs(startUs, 0, info, tracks);
    const mdatSizeBytes = mdatChunks.reduce((n, c) => n + c.length, 0);
    fragments.push({
      segmentId: id,
      sequenceNumber: index + 1,
      ...times,
      moofOffset: offset,
      moofSizeBytes: moof.length,
      mdatSizeBytes,
      startsWithKeyframe: frames[0]?.key ?? false,
      moof,
    });
    parts.push(moof, ...mdatChunks);
    offset += moof.length + mdatSizeBytes;
  });
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  const segment: SegmentRecord = {
    id,
    stream: 'gate',
    variant: 'main',
    startUs,
    endUs: fragments.at(-1)?.endUs ?? startUs,
    root: '/archive',
    path: `gate/seg-${id}.mp4`,
    sizeBytes: offset,
    initSizeBytes: INIT_BYTES,
    tracks,
    codecs: withAudio ? 'avc1.64001f,mp4a.40.2' : 'avc1.64001f',
    closed: true,
  };
  return { segment, fragments, bytes };
}

function payload(frameNumber: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, frameNumber);
  return out;
}

function input(...built: BuiltSegment[]): PlanInput {
  return { segments: built.map((b) => b.segment), fragments: built.flatMap((b) => b.fragments) };
}

/** Frame numbers (within their segment) that the plan's samples point at, read from the file bytes. */
function framesOf(plan: ThumbnailPlan, ...built: BuiltSegment[]): number[] {
  return plan.samples.map((s) => {
    const file = built.find((b) => b.segment.path === s.file.path);
    assert.ok(file !== undefined, `no segment ${s.file.path}`);
    assert.equal(s.file.root, '/archive');
    return new DataView(file.bytes.buffer, s.offset, 4).getUint32(0);
  });
}

// 6 s at 25 fps, a keyframe each second, 2 s fragments.
const sixSeconds = (id: number, startUs: number, withAudio = false): BuiltSegment =>
  buildSegment(id, startUs, [ipp(50, 25), ipp(50, 25, 50), ipp(50, 25, 100)], withAudio);

test('nearest picks the closer keyframe, the earlier one on a tie', () => {
  const seg = sixSeconds(1, T0);
  const at = (us: number): number => planThumbnail(input(seg), T0 + us, 'nearest').keyframeUs - T0;
  assert.equal(at(2_600_000), 3_000_000);
  assert.equal(at(2_400_000), 2_000_000);
  assert.equal(at(2_500_000), 2_000_000);
  assert.equal(at(0), 0);
  assert.equal(at(5_999_999), 5_000_000, 'no keyframe after: the one before');
});

test('before and after take the keyframe shown at or before / at or after the instant', () => {
  const seg = sixSeconds(1, T0);
  const plan = (us: number, method: 'before' | 'after'): ThumbnailPlan => planThumbnail(input(seg), T0 + us, method);
  assert.equal(plan(2_600_000, 'before').keyframeUs, T0 + 2_000_000);
  assert.equal(plan(2_600_000, 'after').keyframeUs, T0 + 3_000_000);
  assert.equal(plan(3_000_000, 'before').keyframeUs, T0 + 3_000_000);
  assert.equal(plan(3_000_000, 'after').keyframeUs, T0 + 3_000_000);
  const p = plan(2_600_000, 'before');
  assert.equal(p.shownUs, p.keyframeUs);
  assert.equal(p.targetIndex, 0);
  assert.deepEqual(framesOf(p, seg), [50], 'the offset points at frame 50 in the file');
  assert.equal(p.samples[0]?.sizeBytes, 100 + (50 % 7));
  assert.equal(p.samples[0]?.durationTicks, FRAME_TICKS);
  assert.equal(p.track, videoTrack);
  assert.equal(p.stream, 'gate');
});

test('video offsets skip an audio run that comes first in the mdat', () => {
  const seg = sixSeconds(1, T0, true);
  const p = planThumbnail(input(seg), T0 + 4_100_000, 'precise');
  assert.equal(p.keyframeUs, T0 + 4_000_000);
  assert.equal(p.shownUs, T0 + 4_080_000);
  assert.deepEqual(framesOf(p, seg), [100, 101, 102]);
  assert.equal(p.targetIndex, 2);
});

test('precise with B-frames decodes in decode order up to the frame shown at or before the instant', () => {
  // Decode order I0 P3 B1 B2 P6 B4 B5 P9 B7 B8 (presentation numbers), shown two frames after decode.
  const shown = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8];
  const gop: FrameSpec[] = shown.map((p, d) => ({ key: d === 0, cto: p + 2 - d }));
  const seg = buildSegment(1, T0, [[...gop, ...gop]]);
  // Presentation frame 4 is shown at +(4+2)·40 ms; ask 10 ms into it.
  const p = planThumbnail(input(seg), T0 + 6 * FRAME_US + 10_000, 'precise');
  assert.equal(p.keyframeUs, T0 + 2 * FRAME_US, 'the keyframe is shown two frames after segment start');
  assert.equal(p.shownUs, T0 + 6 * FRAME_US);
  assert.deepEqual(framesOf(p, seg), [0, 1, 2, 3, 4, 5], 'decode order, up to and including P6… B4');
  assert.equal(p.targetIndex, 4, 'I0 B1 B2 P3 come out before B4');

  const second = planThumbnail(input(seg), T0 + 12 * FRAME_US, 'precise');
  assert.equal(second.keyframeUs, T0 + 12 * FRAME_US, 'the second GOP starts at decode frame 10');
  assert.equal(second.targetIndex, 0);
  assert.equal(second.samples.length, 1);
});

test('just after a recording starts, before its first keyframe is shown, that keyframe is the answer', () => {
  const gop: FrameSpec[] = [0, 3, 1, 2].map((p, d) => ({ key: d === 0, cto: p + 2 - d }));
  const seg = buildSegment(1, T0, [[...gop, ...gop]]);
  for (const method of ['before', 'nearest', 'precise'] as const) {
    const p = planThumbnail(input(seg), T0 + 10_000, method);
    assert.equal(p.keyframeUs, T0 + 2 * FRAME_US, method);
    assert.equal(p.targetIndex, 0, method);
    assert.equal(p.samples.length, 1, method);
  }
});

test('a gap is never crossed backwards, but after keeps looking into the next segment', () => {
  const a = sixSeconds(1, T0);
  // After the gap, B-frames: the first keyframe is shown two frames after the segment starts.
  const gop: FrameSpec[] = [0, 3, 1, 2].map((p, d) => ({ key: d === 0, cto: p + 2 - d }));
  const b = buildSegment(2, T0 + 60_000_000, [[...gop, ...gop]]);
  const both = input(a, b);
  const after = planThumbnail(both, T0 + 5_500_000, 'after');
  assert.equal(after.keyframeUs, T0 + 60_000_000 + 2 * FRAME_US);
  assert.deepEqual(framesOf(after, a, b), [0]);
  assert.equal(after.samples[0]?.file.path, 'gate/seg-2.mp4');
  assert.equal(planThumbnail(both, T0 + 5_500_000, 'nearest').keyframeUs, T0 + 5_000_000);
  const before = planThumbnail(both, T0 + 60_010_000, 'before');
  assert.equal(before.keyframeUs, T0 + 60_000_000 + 2 * FRAME_US, 'not the keyframe a minute earlier');
  assert.equal(before.samples[0]?.file.path, 'gate/seg-2.mp4');
});

test('contiguous segments: before and precise reach back into the previous segment', () => {
  const a = sixSeconds(1, T0);
  // b starts where a ends but its first second has no keyframe (a cut forced mid-GOP).
  const b = buildSegment(2, T0 + 6_000_000, [ipp(50, 25, 13)]);
  const p = planThumbnail(input(a, b), T0 + 6_100_000, 'precise');
  assert.equal(p.keyframeUs, T0 + 5_000_000);
  assert.equal(p.shownUs, T0 + 6_080_000);
  assert.equal(p.samples.length, 28);
  assert.deepEqual(framesOf(p, a, b).slice(0, 1), [125]);
  assert.deepEqual(framesOf(p, a, b).slice(-3), [0, 1, 2]);
  assert.equal(p.targetIndex, 27);
});

test('a time outside every recording is RANGE_NOT_RECORDED; so is after with no later keyframe', () => {
  const both = input(sixSeconds(1, T0), sixSeconds(2, T0 + 60_000_000));
  for (const us of [-1, 6_000_000, 30_000_000, 66_000_000]) {
    assert.throws(
      () => planThumbnail(both, T0 + us, 'nearest'),
      (err) =>
        isVigilError(err, 'RANGE_NOT_RECORDED') && err.field === 'from' && /nothing is recorded at/.test(err.message),
      `+${us} µs`,
    );
  }
  assert.throws(
    () => planThumbnail(input(), T0, 'nearest'),
    (err) => isVigilError(err, 'RANGE_NOT_RECORDED'),
  );
  assert.throws(
    () => planThumbnail(both, T0 + 65_500_000, 'after'),
    (err) => isVigilError(err, 'RANGE_NOT_RECORDED') && /at or after/.test(err.message),
  );
});

test('a stream without video is NOT_FOUND with a message that says so', () => {
  const seg = sixSeconds(1, T0);
  const audioOnly: PlanInput = {
    segments: [{ ...seg.segment, tracks: [audioTrack], codecs: 'mp4a.40.2' }],
    fragments: [],
  };
  assert.throws(
    () => planThumbnail(audioOnly, T0 + 1_000_000, 'nearest'),
    (err) => isVigilError(err, 'NOT_FOUND') && /has no video/.test(err.message) && /gate/.test(err.message),
  );
});

test('only the moofs near the instant are read, even over thousands of segments', () => {
  const real = sixSeconds(1500, T0 + 1500 * 6_000_000);
  const segments: SegmentRecord[] = [];
  const fragments: FragmentRecord[] = [];
  for (let i = 0; i < 3000; i++) {
    if (i === 1500) {
      segments.push(real.segment);
      fragments.push(...real.fragments);
      continue;
    }
    const startUs = T0 + i * 6_000_000;
    segments.push({ ...real.segment, id: i, startUs, endUs: startUs + 6_000_000, path: `gate/seg-${i}.mp4` });
    // Unreadable moofs: parsing any of them would throw.
    for (let f = 0; f < 3; f++) {
      fragments.push({
        ...real.fragments[f]!,
        segmentId: i,
        startUs: startUs + f * 2_000_000,
        endUs: startUs + (f + 1) * 2_000_000,
        moof: new Uint8Array(8),
      });
    }
  }
  const p = planThumbnail({ segments, fragments }, real.segment.startUs + 2_600_000, 'precise');
  assert.equal(p.keyframeUs, real.segment.startUs + 2_000_000);
  assert.equal(p.samples.length, 16);
});

test('thumbnailSelection holds the keyframe alone, as a one-sample video track', () => {
  const seg = sixSeconds(1, T0, true);
  const plan = planThumbnail(input(seg), T0 + 2_600_000, 'precise');
  const selection = thumbnailSelection(plan);
  assert.equal(selection.firstShownUs, T0 + 2_000_000);
  assert.equal(selection.durationUs, FRAME_US);
  assert.equal(selection.lastShownEndUs, T0 + 2_000_000 + FRAME_US);
  assert.deepEqual(selection.files, [{ root: '/archive', path: 'gate/seg-1.mp4' }]);
  assert.deepEqual(selection.request, {
    stream: 'gate',
    variant: 'main',
    fromUs: T0 + 2_000_000,
    toUs: T0 + 2_000_000 + FRAME_US,
    gaps: 'collapse',
  });
  assert.equal(selection.tracks.length, 1);
  const [track] = selection.tracks;
  assert.equal(track?.config, videoTrack);
  assert.equal(track?.count, 1);
  assert.deepEqual([...track!.fileOffset], [plan.samples[0]!.offset]);
  assert.deepEqual([...track!.sizeBytes], [plan.samples[0]!.sizeBytes]);
  assert.deepEqual([...track!.isSync], [1]);
  assert.deepEqual([...track!.decodeTicks], [0]);
  assert.deepEqual(selection.pieces, [
    { fromUs: T0 + 2_000_000, toUs: T0 + 2_000_000 + FRAME_US, outputStartUs: 0, mediaStartUs: 0 },
  ]);
});

test('method: one of nearest, before, after, precise; nearest by default', () => {
  const cases: Array<[unknown, string]> = [
    [undefined, 'nearest'],
    ['', 'nearest'],
    ['nearest', 'nearest'],
    ['before', 'before'],
    ['after', 'after'],
    ['precise', 'precise'],
  ];
  for (const [value, expected] of cases) assert.equal(parseThumbnailMethod(value), expected);
  for (const bad of ['closest', 'BEFORE', 3]) {
    assert.throws(
      () => parseThumbnailMethod(bad),
      (err) =>
        isVigilError(err, 'INVALID_ARGUMENT') &&
        err.field === 'method' &&
        /nearest, before, after, precise/.test(err.message),
    );
  }
});

test('width: an even integer from 16 to 3840, as a number or a string', () => {
  const cases: Array<[unknown, number | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['320', 320],
    [16, 16],
    [3840, 3840],
  ];
  for (const [value, expected] of cases) assert.equal(parseThumbnailWidth(value), expected);
  for (const bad of ['321', 14, 3842, '32.0', 'wide', -320, 320.5, '1e3']) {
    assert.throws(
      () => parseThumbnailWidth(bad),
      (err) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'width' && /16 to 3840/.test(err.message),
      String(bad),
    );
  }
});
