/** Byte layout of the frames a publisher accepts. Pure. */
import type { PublisherPixelFormat } from './parameters.js';

/** Bytes of one tightly packed frame (rows without padding; yuv420p as three planes). */
export function frameBytes(pixelFormat: PublisherPixelFormat, width: number, height: number): number {
  switch (pixelFormat) {
    case 'rgb24':
    case 'bgr24':
      return width * height * 3;
    case 'rgba':
      return width * height * 4;
    case 'yuv420p':
      return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  }
}

/** Why a frame of `actual` bytes is refused, or undefined when it has the expected size. */
export function frameSizeProblem(
  pixelFormat: PublisherPixelFormat,
  width: number,
  height: number,
  actual: number,
): string | undefined {
  const expected = frameBytes(pixelFormat, width, height);
  if (actual === expected) return undefined;
  const shape =
    pixelFormat === 'yuv420p'
      ? `${width}x${height} yuv420p`
      : `${height} x ${width} x ${pixelFormat === 'rgba' ? 4 : 3} ${pixelFormat}`;
  return `frame: expected ${expected} bytes (${shape}), got ${actual}; set widthSrc/heightSrc/pixelFormat to match the frames`;
}
