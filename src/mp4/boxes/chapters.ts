/**
 * Nero chapters (`chpl` in moov/udta): a flat list of start times and titles.
 * ffmpeg/ffprobe read it as chapters (each ends where the next begins), and so
 * do mpv and VLC; it needs no extra track.
 */
import { VigilError } from '../../errors.js';
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { CHPL_MAX_ENTRIES, CHPL_TICKS_PER_US, UTF8_CONTINUATION_BITS, UTF8_CONTINUATION_MASK } from '../flags.js';
import { fourcc } from '../fourcc.js';

export interface Chapter {
  /** Start on the presentation timeline, µs from its beginning. */
  startUs: number;
  title: string;
}

/** A title as UTF-8, cut to the 255 bytes a chpl entry holds (never inside a character). */
function titleBytes(title: string): Uint8Array {
  const bytes = new TextEncoder().encode(title);
  if (bytes.length <= CHPL_MAX_ENTRIES) return bytes;
  let end = CHPL_MAX_ENTRIES;
  // Back up to the start of a character.
  while (end > 0 && (bytes[end]! & UTF8_CONTINUATION_MASK) === UTF8_CONTINUATION_BITS) end--;
  return bytes.subarray(0, end);
}

export function writeChpl(w: ByteWriter, chapters: readonly Chapter[]): void {
  if (chapters.length > CHPL_MAX_ENTRIES) {
    throw new VigilError('INTERNAL', `chpl: ${chapters.length} chapters, at most ${CHPL_MAX_ENTRIES} fit`);
  }
  w.fullBox(fourcc.chpl, 1, 0, () => {
    w.u32(0); // reserved (version 1)
    w.u8(chapters.length);
    for (const c of chapters) {
      w.u64(Math.round(c.startUs * CHPL_TICKS_PER_US));
      const title = titleBytes(c.title);
      w.u8(title.length);
      w.bytes(title);
    }
  });
}

/** The chapters of a chpl body (after its box header). */
export function readChpl(r: ByteReader): Chapter[] {
  const version = r.u8();
  r.u24();
  if (version === 1) r.u32();
  const count = r.u8();
  const chapters: Chapter[] = [];
  for (let i = 0; i < count; i++) {
    const startUs = r.u64() / CHPL_TICKS_PER_US;
    const title = new TextDecoder().decode(r.bytes(r.u8()));
    chapters.push({ startUs, title });
  }
  return chapters;
}
