import { VigilError } from '../errors.js';
import { fourcc } from './fourcc.js';
import { childBoxes, findBox, scanBoxes } from './scan.js';

/** tfdt body: version, flags, then the decode time. */
const TFDT_TIME_AT = 4;
/** tfhd body: version, flags, then the track ID. */
const TFHD_TRACK_ID_AT = 4;

/**
 * A copy of `moof` with each traf's tfdt moved by its track's shift (ticks), the
 * same size as the original: only 64-bit (version 1) tfdt boxes are accepted,
 * so data offsets and everything after the moof stay where they were.
 */
export function shiftDecodeTimes(moof: Uint8Array, shiftTicksByTrack: ReadonlyMap<number, number>): Uint8Array {
  const out = new Uint8Array(moof);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const top = scanBoxes(out)[0];
  if (top === undefined || top.type !== fourcc.moof) {
    throw new VigilError('MEDIA_INVALID', `moof: buffer starts with "${top?.type ?? ''}", not a moof`);
  }
  for (const traf of childBoxes(out, top).filter((b) => b.type === fourcc.traf)) {
    const boxes = childBoxes(out, traf);
    const tfhd = findBox(boxes, fourcc.tfhd);
    const tfdt = findBox(boxes, fourcc.tfdt);
    if (tfhd === undefined || tfdt === undefined) throw new VigilError('MEDIA_INVALID', 'traf without tfhd or tfdt');
    const trackId = view.getUint32(tfhd.offset + tfhd.headerSize + TFHD_TRACK_ID_AT);
    const shift = shiftTicksByTrack.get(trackId) ?? 0;
    const body = tfdt.offset + tfdt.headerSize;
    if (out[body] !== 1) throw new VigilError('MEDIA_INVALID', `tfdt of track ${trackId} is not 64-bit (version 1)`);
    const time = Number(view.getBigUint64(body + TFDT_TIME_AT)) + shift;
    if (!Number.isSafeInteger(time) || time < 0) {
      throw new VigilError('MEDIA_INVALID', `tfdt of track ${trackId} would be ${time} after the shift`);
    }
    view.setBigUint64(body + TFDT_TIME_AT, BigInt(time));
  }
  return out;
}
