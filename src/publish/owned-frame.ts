/**
 * Video frames that own a copy of the caller's pixels.
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

export interface VideoFrameLayout {
  width: number;
  height: number;
  format: AVPixelFormat;
}

/**
 * Copies callers' pixels into frames with buffers FFmpeg allocated, and uses
 * those buffers again once a frame is handed back: a fresh 720p RGB24 buffer
 * costs ~2 ms of page faults per frame, a copy into a used one ~0.3 ms.
 */
export class VideoFramePool {
  private readonly spare: Frame[] = [];
  private readonly issued = new WeakSet<Frame>();

  constructor(
    private readonly layout: VideoFrameLayout,
    /** Frames kept for reuse; more handed back are freed. */
    private readonly keep: number,
  ) {}

  /** A frame with the pool's layout and writable buffers of unspecified content (a converter's output); give it back with `recycle`. */
  take(): Frame {
    return this.spare.pop() ?? this.allocate();
  }

  /** A frame holding a copy of `bytes` (packed rows, no padding); give it back with `recycle`. */
  copy(bytes: Uint8Array, pts: bigint, timeBase: Rational): Frame {
    const borrowed = Frame.fromVideoBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), this.layout);
    try {
      const frame = this.take();
      const copied = frame.copy(borrowed);
      if (copied < 0) {
        frame.free();
        throw new VigilError('INTERNAL', `publisher: cannot copy a frame into FFmpeg's buffers (${copied})`);
      }
      frame.pts = pts;
      frame.timeBase = timeBase;
      return frame;
    } finally {
      borrowed.free();
    }
  }

  /**
   * Takes a frame back. Its buffer is copied into again only when nothing else
   * holds a reference to it (an encoder that keeps input frames); frames this
   * pool did not make, and any beyond `keep`, are freed.
   */
  recycle(frame: Frame): void {
    if (this.issued.has(frame) && frame.isWritable && this.spare.length < this.keep) this.spare.push(frame);
    else frame.free();
  }

  close(): void {
    for (const frame of this.spare.splice(0)) frame.free();
  }

  private allocate(): Frame {
    const frame = new Frame();
    frame.alloc();
    frame.width = this.layout.width;
    frame.height = this.layout.height;
    frame.format = this.layout.format;
    const ret = frame.getBuffer();
    if (ret < 0) {
      frame.free();
      throw new VigilError('INTERNAL', `publisher: cannot allocate a frame (${ret})`);
    }
    this.issued.add(frame);
    return frame;
  }
}
