import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { ITUNES_DATA_UTF8 } from '../flags.js';
import { fourcc } from '../fourcc.js';
import { boxBody, childBoxes, findBox, scanBoxes } from '../scan.js';
import { type Chapter, readChpl, writeChpl } from './chapters.js';
import { writeHdlr } from './movie.js';

export interface UdtaFields {
  title?: string;
  comment?: string;
  /** ©day: ISO 8601 (an export writes its wall-clock start here). */
  date?: string;
  /** Written as a Nero chapter list (chpl), which ffprobe shows as chapters. */
  chapters?: Chapter[];
}

/** meta is a full box: its version and flags come before its children. */
const META_FIELDS_BYTES = 4;
/** A data box's type indicator and locale come before the value. */
const DATA_FIELDS_BYTES = 8;

/** iTunes-style metadata (udta/meta/ilst with ©nam and ©cmt), which players show as title and comment. */
export function buildUdta(fields: UdtaFields): Uint8Array {
  const w = new ByteWriter(256);
  const items: Array<[string, string | undefined]> = [
    [fourcc.titleTag, fields.title],
    [fourcc.commentTag, fields.comment],
    [fourcc.dateTag, fields.date],
  ];
  w.box(fourcc.udta, () => {
    if (fields.chapters !== undefined && fields.chapters.length > 0) writeChpl(w, fields.chapters);
    w.fullBox(fourcc.meta, 0, 0, () => {
      writeHdlr(w, fourcc.mdir, '', fourcc.appl);
      w.box(fourcc.ilst, () => {
        for (const [tag, value] of items) {
          if (value === undefined) continue;
          w.box(tag, () => {
            // The data box's version/flags word is its type indicator: 1 = UTF-8 text.
            w.fullBox(fourcc.data, 0, ITUNES_DATA_UTF8, () => {
              w.u32(0); // locale: default
              w.bytes(new TextEncoder().encode(value));
            });
          });
        }
      });
    });
  });
  return w.finish();
}

/** The fields of a udta box written by `buildUdta` (or by iTunes-style muxers). */
export function readUdta(udta: Uint8Array): UdtaFields {
  const top = scanBoxes(udta)[0];
  if (top === undefined || top.type !== fourcc.udta) return {};
  const out: UdtaFields = {};
  const children = childBoxes(udta, top);
  const chpl = findBox(children, fourcc.chpl);
  if (chpl !== undefined) out.chapters = readChpl(new ByteReader(boxBody(udta, chpl), 'chpl'));
  const meta = findBox(children, fourcc.meta);
  if (meta === undefined) return out;
  const ilst = findBox(childBoxes(udta, meta, META_FIELDS_BYTES), fourcc.ilst);
  if (ilst === undefined) return out;
  for (const item of childBoxes(udta, ilst)) {
    const data = findBox(childBoxes(udta, item), fourcc.data);
    if (data === undefined) continue;
    const r = new ByteReader(boxBody(udta, data), 'data');
    r.skip(DATA_FIELDS_BYTES);
    const text = new TextDecoder().decode(r.bytes(r.remaining));
    if (item.type === fourcc.titleTag) out.title = text;
    else if (item.type === fourcc.commentTag) out.comment = text;
    else if (item.type === fourcc.dateTag) out.date = text;
  }
  return out;
}
