/**
 * Chapters into a finished MP4 (node-av has no way to hand FFmpeg's muxer
 * chapters): a Nero `chpl` box goes into moov/udta, the same box the stream
 * copy builders write, and the moov moves to the front of the file, right
 * after ftyp. The muxer is asked for its moov at the end, so this one pass
 * replaces FFmpeg's faststart pass instead of adding to it.
 *
 * Only moov is held in memory; the media data is copied in chunks. Chunk
 * offsets (stco/co64) move by the moov's new size; an stco whose offsets would
 * pass 4 GiB becomes a co64.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { VigilError } from '../../errors.js';
import { ByteWriter } from '../../mp4/byte-writer.js';
import { writeChpl, type Chapter } from '../../mp4/boxes/chapters.js';
import { CHPL_MAX_ENTRIES } from '../../mp4/flags.js';
import { childBoxes, scanBoxes } from '../../mp4/scan.js';
import type { BoxLocation } from '../../mp4/types.js';

const HEADER_PEEK_BYTES = 16;
const COPY_CHUNK_BYTES = 1 << 20;
const U32_MAX = 0xffff_ffff;
/** Full box header (version, flags) and entry count before the offsets. */
const CHUNK_OFFSET_FIELDS = 8;
/** Boxes on the way from moov to the chunk offsets; every other box is copied as it is. */
const PATH_TO_OFFSETS = new Set(['trak', 'mdia', 'minf', 'stbl']);

/** Where the file's partial copy goes while it is written; the runner removes it after a failure. */
export function chapterTempPath(path: string): string {
  return `${path}.chapters`;
}

export async function addMp4Chapters(path: string, chapters: readonly Chapter[]): Promise<void> {
  const file = await open(path, 'r');
  const temp = chapterTempPath(path);
  try {
    const boxes = await topLevelBoxes(file);
    const moovBox = boxes.find((b) => b.type === 'moov');
    if (moovBox === undefined) throw new VigilError('MEDIA_INVALID', 'chapters: the MP4 output has no moov box');
    if (boxes.some((b) => b.type === 'moof')) return; // fragmented: no single index to hold them
    const moov = new Uint8Array(moovBox.size);
    await file.read(moov, 0, moov.length, moovBox.offset);
    const chpl = chplBox(chapters.slice(0, CHPL_MAX_ENTRIES));
    const head = boxes[0]?.type === 'ftyp' ? [boxes[0]] : [];
    const rest = boxes.filter((b) => b !== moovBox && !head.includes(b));

    // The moov's size decides the shift, and a co64 decides the moov's size: settle both.
    const wide = new Set<number>();
    let built: BuiltMoov;
    for (;;) {
      const size = buildMoov(moov, chpl, () => 0, wide).bytes.length;
      const shift = (offset: number): number => offset + size - (moovBox.offset < offset ? moovBox.size : 0);
      built = buildMoov(moov, chpl, shift, wide);
      if (built.overflows.length === 0) break;
      for (const table of built.overflows) wide.add(table);
    }

    const out = await open(temp, 'w');
    try {
      for (const box of head) await copyRange(file, out, box.offset, box.size);
      await out.write(built.bytes);
      for (const box of rest) await copyRange(file, out, box.offset, box.size);
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(temp, path);
  } finally {
    await file.close();
    await rm(temp, { force: true });
  }
}

async function topLevelBoxes(file: FileHandle): Promise<BoxLocation[]> {
  const { size: fileSize } = await file.stat();
  const boxes: BoxLocation[] = [];
  const peek = new Uint8Array(HEADER_PEEK_BYTES);
  for (let offset = 0; offset + 8 <= fileSize;) {
    const { bytesRead } = await file.read(peek, 0, HEADER_PEEK_BYTES, offset);
    const [box] = scanBoxes(peek.subarray(0, bytesRead), 0, bytesRead);
    // Size 0: the box runs to the end of the file (scanBoxes only saw the bytes peeked).
    const declared = new DataView(peek.buffer).getUint32(0);
    const size = box === undefined ? 0 : declared === 0 ? fileSize - offset : box.size;
    if (box === undefined || size < box.headerSize) {
      throw new VigilError('MEDIA_INVALID', `chapters: unreadable MP4 box at ${offset}`);
    }
    boxes.push({ ...box, offset, size });
    offset += size;
  }
  return boxes;
}

function chplBox(chapters: readonly Chapter[]): Uint8Array {
  const w = new ByteWriter();
  writeChpl(w, chapters);
  return w.finish();
}

interface BuiltMoov {
  bytes: Uint8Array;
  /** Indexes (in moov order) of stco tables whose shifted offsets do not fit 32 bits. */
  overflows: number[];
}

/**
 * moov with `chpl` as the last box of its udta (an existing chpl replaced) and
 * every chunk offset moved by `shift`; tables listed in `wide` are written as co64.
 */
function buildMoov(
  moov: Uint8Array,
  chpl: Uint8Array,
  shift: (offset: number) => number,
  wide: Set<number>,
): BuiltMoov {
  const w = new ByteWriter(moov.length + chpl.length + 64);
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const overflows: number[] = [];
  let table = 0;

  const writeOffsets = (box: BoxLocation): void => {
    const body = box.offset + box.headerSize;
    const count = view.getUint32(body + 4);
    const co64 = box.type === 'co64';
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = body + CHUNK_OFFSET_FIELDS + i * (co64 ? 8 : 4);
      offsets.push(shift(co64 ? Number(view.getBigUint64(at)) : view.getUint32(at)));
    }
    const index = table++;
    const asCo64 = co64 || wide.has(index);
    if (!asCo64 && offsets.some((o) => o > U32_MAX)) overflows.push(index);
    w.fullBox(asCo64 ? 'co64' : 'stco', 0, 0, () => {
      w.u32(count);
      for (const o of offsets) {
        if (asCo64) w.u64(o);
        else w.u32(Math.min(o, U32_MAX));
      }
    });
  };

  const copyBox = (box: BoxLocation): void => w.bytes(moov.subarray(box.offset, box.offset + box.size));

  const walk = (parent: BoxLocation): void => {
    for (const child of childBoxes(moov, parent)) {
      if (child.type === 'stco' || child.type === 'co64') writeOffsets(child);
      else if (PATH_TO_OFFSETS.has(child.type)) w.box(child.type, () => walk(child));
      else copyBox(child);
    }
  };

  const [root] = scanBoxes(moov);
  if (root === undefined) throw new VigilError('MEDIA_INVALID', 'chapters: the moov box is cut short');
  w.box('moov', () => {
    let udtaSeen = false;
    for (const child of childBoxes(moov, root)) {
      if (child.type === 'trak') w.box('trak', () => walk(child));
      else if (child.type === 'udta') {
        udtaSeen = true;
        w.box('udta', () => {
          for (const inner of childBoxes(moov, child)) if (inner.type !== 'chpl') copyBox(inner);
          w.bytes(chpl);
        });
      } else copyBox(child);
    }
    if (!udtaSeen) w.box('udta', () => w.bytes(chpl));
  });
  return { bytes: w.finish(), overflows };
}

async function copyRange(from: FileHandle, to: FileHandle, offset: number, length: number): Promise<void> {
  const buffer = new Uint8Array(Math.min(COPY_CHUNK_BYTES, length));
  for (let done = 0; done < length;) {
    const { bytesRead } = await from.read(buffer, 0, Math.min(buffer.length, length - done), offset + done);
    if (bytesRead === 0) throw new VigilError('MEDIA_INVALID', 'chapters: the MP4 output ended early');
    await to.write(buffer, 0, bytesRead);
    done += bytesRead;
  }
}
