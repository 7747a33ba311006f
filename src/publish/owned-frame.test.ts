import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AV_PIX_FMT_RGB24, AV_PIX_FMT_YUV420P } from 'node-av/constants';
import { Frame, Rational } from 'node-av/lib';
import { copyVideoFrame } from './owned-frame.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const WIDTH = 642; // rows of 1926 bytes: FFmpeg pads its own rows, so a plain memcpy would be wrong too
const HEIGHT = 360;
const timeBase = new Rational(1, 25);

/** Frames built from arrays nobody else holds, the arrays collected and their memory reused. */
function framesAfterTheirArraysAreGone(make: (bytes: Uint8Array, i: number) => Frame): Frame[] {
  const frames = Array.from({ length: 12 }, (_, i) => make(new Uint8Array(WIDTH * HEIGHT * 3).fill(10 + i), i));
  for (let i = 0; i < 4; i++) collectGarbage();
  const reuse = Array.from({ length: 12 }, () => new Uint8Array(WIDTH * HEIGHT * 3).fill(0xee));
  assert.equal(reuse.length, 12);
  return frames;
}

test('a copied frame keeps its pixels after the caller array is collected', () => {
  const frames = framesAfterTheirArraysAreGone((bytes, i) =>
    copyVideoFrame(bytes, { width: WIDTH, height: HEIGHT, format: AV_PIX_FMT_RGB24, timeBase, pts: BigInt(i) }),
  );
  frames.forEach((frame, i) => {
    const pixels = frame.toBuffer();
    assert.equal(pixels.length, WIDTH * HEIGHT * 3);
    assert.ok(
      pixels.every((b) => b === 10 + i),
      `frame ${i}: every byte is the caller's`,
    );
    assert.deepEqual(
      [frame.width, frame.height, frame.format, frame.pts],
      [WIDTH, HEIGHT, AV_PIX_FMT_RGB24, BigInt(i)],
    );
    frame.free();
  });
});

test("node-av's fromVideoBuffer still borrows the caller's memory (drop copyVideoFrame once this fails)", () => {
  // Checked by writing after the fact, not by collecting: reading freed memory could kill the test process.
  const bytes = Buffer.alloc(WIDTH * HEIGHT * 3, 1);
  const borrowed = Frame.fromVideoBuffer(bytes, { width: WIDTH, height: HEIGHT, format: AV_PIX_FMT_RGB24 });
  bytes.fill(2);
  assert.equal(borrowed.toBuffer()[0], 2, 'the frame sees a write made to the array after it was built');
  borrowed.free();
  const copied = copyVideoFrame(bytes, { width: WIDTH, height: HEIGHT, format: AV_PIX_FMT_RGB24, timeBase, pts: 0n });
  bytes.fill(3);
  assert.equal(copied.toBuffer()[0], 2, 'the copy does not');
  copied.free();
});

test('planar frames are copied plane by plane', () => {
  const [w, h] = [320, 180];
  const bytes = new Uint8Array(w * h * 1.5);
  bytes.fill(1, 0, w * h);
  bytes.fill(2, w * h, w * h * 1.25);
  bytes.fill(3, w * h * 1.25);
  const frame = copyVideoFrame(bytes, { width: w, height: h, format: AV_PIX_FMT_YUV420P, timeBase, pts: 0n });
  assert.deepEqual(Buffer.compare(frame.toBuffer(), Buffer.from(bytes)), 0);
  frame.free();
});
