import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AV_PIX_FMT_RGB24, AV_PIX_FMT_YUV420P, SWS_BICUBIC } from 'node-av/constants';
import { Frame, Rational, SoftwareScaleContext } from 'node-av/lib';
import { VideoFramePool } from './owned-frame.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const WIDTH = 642; // rows of 1926 bytes: FFmpeg pads its own rows, so a plain memcpy would be wrong too
const HEIGHT = 360;
const rgb = { width: WIDTH, height: HEIGHT, format: AV_PIX_FMT_RGB24 };
const timeBase = new Rational(1, 25);

test('a copied frame keeps its pixels after the caller array is collected', () => {
  const pool = new VideoFramePool(rgb, 4);
  const frames = Array.from({ length: 12 }, (_, i) =>
    pool.copy(new Uint8Array(WIDTH * HEIGHT * 3).fill(10 + i), BigInt(i), timeBase),
  );
  for (let i = 0; i < 4; i++) collectGarbage();
  const reuse = Array.from({ length: 12 }, () => new Uint8Array(WIDTH * HEIGHT * 3).fill(0xee));
  assert.equal(reuse.length, 12);
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
    pool.recycle(frame);
  });
  pool.close();
});

test("node-av's fromVideoBuffer still borrows the caller's memory (drop the borrowing copy once this fails)", () => {
  // Checked by writing after the fact, not by collecting: reading freed memory could kill the test process.
  const bytes = Buffer.alloc(WIDTH * HEIGHT * 3, 1);
  const borrowed = Frame.fromVideoBuffer(bytes, rgb);
  bytes.fill(2);
  assert.equal(borrowed.toBuffer()[0], 2, 'the frame sees a write made to the array after it was built');
  borrowed.free();
  const pool = new VideoFramePool(rgb, 1);
  const copied = pool.copy(bytes, 0n, timeBase);
  bytes.fill(3);
  assert.equal(copied.toBuffer()[0], 2, 'the copy does not');
  copied.free();
  pool.close();
});

test('a recycled frame is copied into again, unless something still holds a reference to its buffer', () => {
  const pool = new VideoFramePool(rgb, 2);
  const first = pool.copy(Buffer.alloc(WIDTH * HEIGHT * 3, 1), 0n, timeBase);
  pool.recycle(first);
  const second = pool.copy(Buffer.alloc(WIDTH * HEIGHT * 3, 2), 1n, timeBase);
  assert.equal(second, first, 'the spare frame is used again');
  assert.equal(second.toBuffer()[0], 2);

  // An encoder that keeps its input holds a reference, as this clone does.
  const held = second.clone()!;
  pool.recycle(second);
  const third = pool.copy(Buffer.alloc(WIDTH * HEIGHT * 3, 3), 2n, timeBase);
  assert.notEqual(third, second, 'a frame still referenced elsewhere is not copied into');
  assert.equal(held.toBuffer()[0], 2, 'what the holder sees is unchanged');
  assert.equal(third.toBuffer()[0], 3);
  held.free();

  const foreign = new Frame();
  foreign.alloc();
  pool.recycle(foreign); // not the pool's: freed, never handed out
  pool.recycle(third);
  assert.equal(pool.copy(Buffer.alloc(WIDTH * HEIGHT * 3, 4), 3n, timeBase), third);
  pool.close();
});

test('planar frames are copied plane by plane', () => {
  const [w, h] = [320, 180];
  const bytes = new Uint8Array(w * h * 1.5);
  bytes.fill(1, 0, w * h);
  bytes.fill(2, w * h, w * h * 1.25);
  bytes.fill(3, w * h * 1.25);
  const pool = new VideoFramePool({ width: w, height: h, format: AV_PIX_FMT_YUV420P }, 1);
  const frame = pool.copy(bytes, 0n, timeBase);
  assert.deepEqual(Buffer.compare(frame.toBuffer(), Buffer.from(bytes)), 0);
  frame.free();
  pool.close();
});

test("a taken frame receives a converter's output, and the next conversion into it replaces that output", async () => {
  const [w, h] = [320, 180];
  const sources = new VideoFramePool(rgb, 2);
  const converted = new VideoFramePool({ width: w, height: h, format: AV_PIX_FMT_YUV420P }, 2);
  const sws = new SoftwareScaleContext();
  sws.getContext(WIDTH, HEIGHT, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUV420P, SWS_BICUBIC);
  assert.ok(sws.initContext() >= 0);
  const lumaOf = async (value: number): Promise<{ frame: Frame; luma: number }> => {
    const source = sources.copy(new Uint8Array(WIDTH * HEIGHT * 3).fill(value), 0n, timeBase);
    const frame = converted.take();
    assert.ok((await sws.scaleFrame(frame, source)) >= 0);
    sources.recycle(source);
    assert.equal(frame.width, w);
    return { frame, luma: frame.toBuffer()[w * (h / 2) + w / 2]! };
  };
  const black = await lumaOf(0);
  assert.equal(black.luma, 16, 'black in limited range');
  converted.recycle(black.frame);
  const white = await lumaOf(255);
  assert.equal(white.frame, black.frame, 'the spare frame is used again');
  assert.equal(white.luma, 235, 'white in limited range: the new conversion, not the old one');
  converted.recycle(white.frame);
  sws.freeContext();
  sources.close();
  converted.close();
});
