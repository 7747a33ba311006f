import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Cut, Fragmenter } from './fragmenter.js';

/** Feeds frames at 25 fps with a keyframe every `gop` frames; returns the cut before each frame. */
function feed(fragmenter: Fragmenter, frames: number, gop: number): Cut[] {
  const cuts: Cut[] = [];
  for (let i = 0; i < frames; i++) cuts.push(fragmenter.next(i * 40_000, i % gop === 0));
  return cuts;
}

function indexesOf(cuts: Cut[], kind: Cut): number[] {
  return cuts.flatMap((c, i) => (c === kind ? [i] : []));
}

test('fragments start on keyframes once the open one is at least 0.9 s', () => {
  const cuts = feed(new Fragmenter(), 100, 25);
  assert.deepEqual(indexesOf(cuts, 'segment'), [0]);
  assert.deepEqual(indexesOf(cuts, 'fragment'), [25, 50, 75]);
});

test('short GOPs are grouped into fragments of about a second', () => {
  const cuts = feed(new Fragmenter(), 100, 10);
  assert.deepEqual(indexesOf(cuts, 'fragment'), [30, 60, 90]);
});

test('a long GOP is cut at 2 s without a keyframe', () => {
  const cuts = feed(new Fragmenter(), 200, 125);
  assert.deepEqual(indexesOf(cuts, 'fragment'), [50, 100, 125, 175]);
});

test('a segment is cut at the first keyframe after the segment duration', () => {
  const cuts = feed(new Fragmenter({ segmentDurationUs: 3_000_000 }), 200, 40);
  assert.deepEqual(indexesOf(cuts, 'segment'), [0, 80, 160]);
});

test('a forced cut starts a segment at once, keyframe or not', () => {
  const fragmenter = new Fragmenter();
  fragmenter.next(0, true);
  assert.equal(fragmenter.next(40_000, false, true), 'segment');
  assert.equal(fragmenter.next(80_000, false), 'none');
});
