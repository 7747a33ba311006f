import { VigilError } from '../errors.js';
import type { BoxLocation } from './types.js';

const SIZE_TO_END = 0;
const SIZE_IS_LARGESIZE = 1;

/**
 * Lists the boxes that follow each other in `buf[start, end)`. Size 0 means "to the end",
 * size 1 means a 64-bit largesize follows the type. A box that runs past `end` is still
 * reported with its declared size (and ends the scan), so a caller can see a torn tail:
 * `offset + size > end`. A header cut short by `end` is not reported; a caller sees that
 * as the last box ending before `end`.
 */
export function scanBoxes(buf: Uint8Array, start = 0, end = buf.length): BoxLocation[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: BoxLocation[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    const type = String.fromCharCode(buf[offset + 4]!, buf[offset + 5]!, buf[offset + 6]!, buf[offset + 7]!);
    let headerSize = 8;
    if (size === SIZE_IS_LARGESIZE) {
      if (offset + 16 > end) break;
      const large = view.getBigUint64(offset + 8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new VigilError('MEDIA_INVALID', `box "${type}" at ${offset}: largesize ${large} is larger than 2^53`);
      }
      size = Number(large);
      headerSize = 16;
    } else if (size === SIZE_TO_END) {
      size = end - offset;
    }
    if (size < headerSize) {
      throw new VigilError('MEDIA_INVALID', `box "${type}" at ${offset}: size ${size} is smaller than its header`);
    }
    out.push({ type, offset, size, headerSize });
    offset += size;
  }
  return out;
}

/** The boxes inside `parent`'s body; `skip` bytes of fields come before the first child (full boxes, stsd). */
export function childBoxes(buf: Uint8Array, parent: BoxLocation, skip = 0): BoxLocation[] {
  const end = Math.min(parent.offset + parent.size, buf.length);
  return scanBoxes(buf, parent.offset + parent.headerSize + skip, end);
}

/** The first box of `type` in a list, or undefined. */
export function findBox(boxes: BoxLocation[], type: string): BoxLocation | undefined {
  return boxes.find((b) => b.type === type);
}

/** Like `findBox`, but a missing box is MEDIA_INVALID naming where it was expected. */
export function requireBox(boxes: BoxLocation[], type: string, inside: string): BoxLocation {
  const found = findBox(boxes, type);
  if (found === undefined) throw new VigilError('MEDIA_INVALID', `${inside}: no "${type}" box`);
  return found;
}

/** The body of a box (after its header), as a view; clamped to the buffer for torn boxes. */
export function boxBody(buf: Uint8Array, box: BoxLocation): Uint8Array {
  return buf.subarray(box.offset + box.headerSize, Math.min(box.offset + box.size, buf.length));
}
