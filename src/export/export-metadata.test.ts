import { test } from 'node:test';
import assert from 'node:assert/strict';
import { videoTrack } from '../archive/testing/fixtures.js';
import { editListFor, presentationEndTicks } from './export-metadata.js';
import type { SampleSelection, TrackSamples } from './types.js';

/** I P B B at 25 fps (3600 ticks a frame): the P decoded second is shown fourth. */
function ipbbTrack(): TrackSamples {
  const frames = 4;
  return {
    config: videoTrack,
    count: frames,
    decodeTicks: Float64Array.from([0, 3600, 7200, 10_800]),
    durationTicks: Uint32Array.from([3600, 3600, 3600, 3600]),
    compositionOffsetTicks: Int32Array.from([3600, 10_800, 0, 0]),
    sizeBytes: new Uint32Array(frames).fill(100),
    isSync: Uint8Array.from([1, 0, 0, 0]),
    fileIndex: new Uint32Array(frames),
    fileOffset: new Float64Array(frames),
    presentationStartTicks: 3600,
  };
}

test('with B-frames the video edit covers every shown frame, up to the last one’s end', () => {
  const track = ipbbTrack();
  // Shown at 3600 (I), 7200 (B), 10800 (B), 14400 (P): the last ends at 18000, after the last decode end (14400).
  assert.equal(presentationEndTicks(track), 18_000);
  const selection = {
    request: { stream: 'cam', variant: 'main', fromUs: 0, toUs: 160_000, gaps: 'collapse' },
    firstShownUs: 0,
    lastShownEndUs: 160_000,
    durationUs: 160_000,
    files: [],
    tracks: [track],
    pieces: [{ fromUs: 0, toUs: 160_000, outputStartUs: 0, mediaStartUs: 0 }],
  } satisfies SampleSelection;
  const [edit] = editListFor(selection, track);
  assert.equal(edit?.mediaTime, 3600);
  // 4 frames of 40 ms = 160 ms, in the movie timescale (ms): nothing cut.
  assert.equal(edit?.segmentDuration, 160);
});
