import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { selectSamples } from './select-samples.js';
import {
  AUDIO_FRAME_TICKS,
  compositionFrames,
  FRAME_TICKS,
  FRAME_US,
  request,
  syntheticInput,
  T0,
} from './testing/synthetic-archive.js';
import type { TrackSamples } from './types.js';

const S = 1_000_000;

function assertContinuous(track: TrackSamples): void {
  for (let i = 1; i < track.count; i++) {
    assert.equal(track.decodeTicks[i], track.decodeTicks[i - 1]! + track.durationTicks[i - 1]!, `sample ${i}`);
    assert.ok(track.durationTicks[i - 1]! > 0);
  }
  assert.equal(track.decodeTicks[0], 0);
}

describe('selectSamples: start and end', () => {
  const input = syntheticInput([{ id: 1, startUs: T0, frames: 250 }]);

  it('starts on the keyframe before the frame shown at `from` and hides the pre-roll', () => {
    // Frame 88 is presented over [3.52 s, 3.56 s): `from` falls inside it.
    const sel = selectSamples(input, request(T0 + 3_530_000, T0 + 6 * S));
    const [video] = sel.tracks;
    assert.equal(sel.firstShownUs, T0 + 3_520_000);
    assert.equal(video!.isSync[0], 1);
    assert.equal(video!.presentationStartTicks, 13 * FRAME_TICKS); // keyframe 75 → frame 88
    assert.equal(video!.count, 150 - 75); // frames 75…149: the last one starts before 6 s
    assert.equal(sel.lastShownEndUs, T0 + 6 * S);
    assert.equal(sel.durationUs, 2_480_000);
    assert.equal(video!.config.trackId, 1);
    assertContinuous(video!);
  });

  it('a frame presented exactly at `to` is left out', () => {
    const sel = selectSamples(input, request(T0 + 3 * S, T0 + 5 * S));
    assert.equal(sel.tracks[0]!.count, 50);
    assert.equal(sel.durationUs, 2 * S);
  });

  it('trims audio to the first shown instant', () => {
    // 3.6 s is 168.75 AAC frames: frame 168 is cut, 0.75 of it before the instant.
    const sel = selectSamples(input, request(T0 + 3_600_000, T0 + 5 * S));
    const audio = sel.tracks[1]!;
    assert.equal(audio.config.trackId, 2);
    assert.equal(audio.presentationStartTicks, 768);
    assert.equal(audio.count, Math.ceil((5 * 48_000) / AUDIO_FRAME_TICKS) - 168);
    assertContinuous(audio);
  });

  it('a range starting before the recording starts at its first frame', () => {
    const sel = selectSamples(input, request(T0 - 5 * S, T0 + S));
    assert.equal(sel.firstShownUs, T0);
    assert.equal(sel.tracks[0]!.presentationStartTicks, 0);
    assert.equal(sel.durationUs, S);
  });
});

describe('selectSamples: B-frames', () => {
  const input = syntheticInput([{ id: 1, startUs: T0, frames: 250, bFrames: true }]);
  const ptsFrames = (n: number): number => n + compositionFrames(n % 25, true);

  for (const offsetUs of [2_000_000, 2_010_000, 2_070_000, 3_990_000]) {
    it(`shows the frame presented at from = +${offsetUs / 1000} ms first`, () => {
      const fromUs = T0 + offsetUs;
      const toUs = T0 + 7 * S;
      const sel = selectSamples(input, request(fromUs, toUs));
      const video = sel.tracks[0]!;
      // Oracle: brute force over all frames.
      let shown = -1;
      for (let n = 0; n < 250; n++)
        if (ptsFrames(n) * FRAME_US <= offsetUs && (shown < 0 || ptsFrames(n) > ptsFrames(shown))) shown = n;
      const keyframe = Math.floor(shown / 25) * 25;
      assert.equal(sel.firstShownUs, T0 + ptsFrames(shown) * FRAME_US);
      assert.equal(video.isSync[0], 1);
      assert.equal(video.presentationStartTicks, (ptsFrames(shown) - keyframe) * FRAME_TICKS);
      let last = 0;
      for (let n = 0; n < 250; n++) if (ptsFrames(n) * FRAME_US < toUs - T0) last = n;
      assert.equal(video.count, last - keyframe + 1);
      assert.ok(video.compositionOffsetTicks.some((o) => o > 0));
    });
  }

  // Two 2 s segments: the first's frame 47 (a P) is shown at 2.0 s, when the second is already decoding.
  const twoSegments = (secondStartUs: number) =>
    syntheticInput([
      { id: 1, startUs: T0, frames: 50, bFrames: true },
      { id: 2, startUs: secondStartUs, frames: 50, bFrames: true },
    ]);

  it("a `from` in the previous segment's B-frame tail shows that segment's frame first", () => {
    const sel = selectSamples(twoSegments(T0 + 2 * S), request(T0 + 2 * S, T0 + 3 * S));
    const video = sel.tracks[0]!;
    assert.equal(sel.firstShownUs, T0 + 2 * S);
    assert.equal(video.isSync[0], 1);
    assert.equal(video.fileIndex[0], 0, "starts on the first segment's last keyframe");
    assert.equal(video.presentationStartTicks, (ptsFrames(47) - 25) * FRAME_TICKS);
    assert.equal(sel.files.length, 2);
  });

  it('after a break, the frames shown before it are never the first frame', () => {
    const secondUs = T0 + 2_500_000;
    const sel = selectSamples(twoSegments(secondUs), request(secondUs, secondUs + S));
    assert.equal(sel.firstShownUs, secondUs + FRAME_US, "the second segment's keyframe, one frame after its start");
    assert.equal(sel.files[sel.tracks[0]!.fileIndex[0]!]!.path, sel.files.at(-1)!.path);
  });
});

describe('selectSamples: segment boundaries and gaps', () => {
  it('joins segments without a hole or drift', () => {
    const input = syntheticInput([
      { id: 1, startUs: T0, frames: 100 },
      { id: 2, startUs: T0 + 4 * S, frames: 100 },
    ]);
    const sel = selectSamples(input, request(T0 + 2 * S, T0 + 6 * S));
    assert.equal(sel.pieces.length, 1);
    assert.equal(sel.files.length, 2);
    const [video, audio] = sel.tracks;
    assert.equal(video!.count, 100);
    assert.ok(video!.durationTicks.every((d) => d === FRAME_TICKS));
    assertContinuous(video!);
    assertContinuous(audio!);
    // The second segment's first frame sits at its wall-clock position: 2 s after the first shown.
    assert.equal(video!.decodeTicks[50], 2 * 90_000);
    assert.equal(video!.fileIndex[50], 1);
  });

  it('a break shorter than the tolerance stretches the last frame before it', () => {
    const input = syntheticInput([
      { id: 1, startUs: T0, frames: 100 },
      { id: 2, startUs: T0 + 4 * S + 7_000, frames: 100 },
    ]);
    const sel = selectSamples(input, request(T0 + 2 * S, T0 + 6 * S));
    assert.equal(sel.pieces.length, 1);
    assert.equal(sel.tracks[0]!.durationTicks[49], FRAME_TICKS + 630);
    assert.equal(sel.tracks[0]!.decodeTicks[50], 2 * 90_000 + 630);
    assertContinuous(sel.tracks[0]!);
  });

  const gapInput = syntheticInput([
    { id: 1, startUs: T0, frames: 100 },
    { id: 2, startUs: T0 + 10 * S, frames: 100 },
  ]);

  it('collapses a gap: two pieces, the media timeline skips it', () => {
    const sel = selectSamples(gapInput, request(T0 + 2 * S, T0 + 12 * S));
    assert.equal(sel.durationUs, 4 * S);
    assert.deepEqual(
      sel.pieces.map((p) => [p.fromUs - T0, p.toUs - T0, p.outputStartUs, p.mediaStartUs]),
      [
        [2 * S, 4 * S, 0, 0],
        [10 * S, 12 * S, 2 * S, 2 * S],
      ],
    );
    assertContinuous(sel.tracks[0]!);
    assertContinuous(sel.tracks[1]!);
    assert.equal(sel.tracks[0]!.decodeTicks[50], 2 * 90_000);
  });

  it('keeps real time with gaps=keep: same media, outputs start at wall-clock offsets', () => {
    const sel = selectSamples(gapInput, request(T0 + 2 * S, T0 + 12 * S, 'keep'));
    assert.equal(sel.durationUs, 10 * S);
    assert.deepEqual(
      sel.pieces.map((p) => p.outputStartUs),
      [0, 8 * S],
    );
    assert.equal(sel.tracks[0]!.decodeTicks[50], 2 * 90_000);
  });

  it('a range starting inside a gap starts at the next recorded frame', () => {
    const sel = selectSamples(gapInput, request(T0 + 6 * S, T0 + 12 * S));
    assert.equal(sel.firstShownUs, T0 + 10 * S);
    assert.equal(sel.pieces.length, 1);
    assert.equal(sel.durationUs, 2 * S);
  });
});

describe('selectSamples: errors', () => {
  const input = syntheticInput([{ id: 1, startUs: T0, frames: 100 }]);

  it('refuses an empty or negative duration', () => {
    assert.throws(
      () => selectSamples(input, request(T0 + S, T0 + S)),
      (e) => isVigilError(e, 'INVALID_ARGUMENT') && e.field === 'duration',
    );
  });

  it('a wholly unrecorded range is RANGE_NOT_RECORDED naming it in ISO UTC', () => {
    assert.throws(
      () => selectSamples(input, request(T0 + 60 * S, T0 + 70 * S)),
      (e) => isVigilError(e, 'RANGE_NOT_RECORDED') && e.message.includes('2026-01-31T12:01:00.000Z'),
    );
  });

  it('a resolution change inside the range is CODEC_CHANGED with where to split', () => {
    const changed = syntheticInput([
      { id: 1, startUs: T0, frames: 100 },
      {
        id: 2,
        startUs: T0 + 4 * S,
        frames: 100,
        video: {
          kind: 'video',
          trackId: 1,
          timescale: 90_000,
          codec: 'avc1',
          width: 640,
          height: 480,
          decoderConfig: new Uint8Array([1, 2]),
        },
      },
    ]);
    assert.throws(
      () => selectSamples(changed, request(T0 + S, T0 + 6 * S)),
      (e) =>
        isVigilError(e, 'CODEC_CHANGED') &&
        e.message.includes('2026-01-31T12:00:04.000Z') &&
        e.message.includes(String((T0 + 4 * S) / S)) &&
        e.message.includes('1280x720') &&
        e.message.includes('640x480'),
    );
    // Either side of the change alone is fine.
    const widthOf = (from: number, to: number): number | undefined => {
      const config = selectSamples(changed, request(from, to)).tracks[0]!.config;
      return config.kind === 'video' ? config.width : undefined;
    };
    assert.equal(widthOf(T0 + S, T0 + 4 * S), 1280);
    assert.equal(widthOf(T0 + 4 * S, T0 + 6 * S), 640);
  });
});

describe('selectSamples: scale', () => {
  it('plans 3000 segments (100 min) with every sample and no drift', () => {
    const segments = Array.from({ length: 3000 }, (_, i) => ({ id: i + 1, startUs: T0 + i * 2 * S, frames: 50 }));
    const input = syntheticInput(segments);
    const sel = selectSamples(input, request(T0, T0 + 6000 * S));
    assert.equal(sel.tracks[0]!.count, 150_000);
    assert.equal(sel.files.length, 3000);
    assert.equal(sel.pieces.length, 1);
    assert.equal(sel.durationUs, 6000 * S);
    assert.equal(sel.tracks[0]!.decodeTicks[149_999], 149_999 * FRAME_TICKS);
    const audio = sel.tracks[1]!;
    assertContinuous(audio);
    // Audio ends within one AAC frame of the video: no drift over 100 minutes.
    const audioEndUs = ((audio.decodeTicks[audio.count - 1]! + AUDIO_FRAME_TICKS) * S) / 48_000;
    assert.ok(Math.abs(audioEndUs - 6000 * S) < (AUDIO_FRAME_TICKS * S) / 48_000, `audio ends at ${audioEndUs}`);
  });
});
