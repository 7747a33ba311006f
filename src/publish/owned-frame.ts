/**
 * A video frame that owns a copy of the caller's pixels.
 *
 * node-av 6.1.1's `Frame.fromVideoBuffer` (through `Frame.fromBuffer`) points the frame's planes at
 * the given Buffer's memory instead of copying it (its documentation says it copies), and nothing
 * keeps that Buffer alive: once the caller's array is garbage collected, the frame reads freed memory.
 * A conversion or encode on libuv's pool at that moment read unmapped memory and killed the process
 * (SIGSEGV in swscale's RGB24 reader, about one RTSP publish test run in five, every time while the
 * main thread was in a full GC). Wrong pixels, not a crash, when the memory was reused instead.
 * So the caller's bytes are borrowed only for one synchronous copy into buffers FFmpeg allocated.
 */
import { Frame, type Rational } from 'node-av/lib';
import type { AVPixelFormat } from 'node-av/constants';
import { VigilError } from '../errors.js';

export interface VideoFrameProps {
  width: number;
  height: number;
  format: AVPixelFormat;
  timeBase: Rational;
  pts: bigint;
}

/** A frame with its own buffers holding a copy of `bytes` (packed rows, no padding); the caller frees it. */
export function copyVideoFrame(bytes: Uint8Array, props: VideoFrameProps): Frame {
  const borrowed = Frame.fromVideoBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), props);
  const owned = new Frame();
  try {
    owned.alloc();
    owned.width = props.width;
    owned.height = props.height;
    owned.format = props.format;
    owned.pts = props.pts;
    owned.timeBase = props.timeBase;
    const allocated = owned.getBuffer();
    const copied = allocated < 0 ? allocated : owned.copy(borrowed);
    if (copied < 0)
      throw new VigilError('INTERNAL', `publisher: cannot copy a frame into FFmpeg's buffers (${copied})`);
    return owned;
  } catch (err) {
    owned.free();
    throw err;
  } finally {
    borrowed.free();
  }
}
