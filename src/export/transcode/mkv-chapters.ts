/**
 * Chapters into a finished Matroska file (node-av cannot hand FFmpeg's muxer
 * chapters). A Chapters element is appended at the end of the Segment and
 * listed in the SeekHead, which FFmpeg writes first with room to spare (a
 * Void after it), so nothing already written moves: the Segment's size, the
 * SeekHead and its Void are rewritten in place.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { VigilError } from '../../errors.js';
import type { Chapter } from '../../mp4/boxes/chapters.js';

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  seekHead: 0x114d9b74,
  seek: 0x4dbb,
  seekId: 0x53ab,
  seekPosition: 0x53ac,
  void: 0xec,
  chapters: 0x1043a770,
  editionEntry: 0x45b9,
  editionUid: 0x45bc,
  chapterAtom: 0xb6,
  chapterUid: 0x73c4,
  chapterTimeStart: 0x91,
  chapterTimeEnd: 0x92,
  chapterDisplay: 0x80,
  chapString: 0x85,
  chapLanguage: 0x437c,
} as const;

/** The head of the file holds the EBML header, the Segment header and the SeekHead with its Void. */
const HEAD_BYTES = 64 * 1024;
const NS_PER_US = 1000;
const MAX_VINT_LENGTH = 8;

interface Element {
  id: number;
  /** Offset of the element's first byte, and of its data. */
  offset: number;
  dataOffset: number;
  /** undefined: unknown size (a live stream's Segment). */
  size: number | undefined;
  /** Bytes the size field takes. */
  sizeLength: number;
}

export async function addMatroskaChapters(
  path: string,
  chapters: readonly Chapter[],
  durationUs: number,
): Promise<void> {
  if (chapters.length === 0) return;
  const file = await open(path, 'r+');
  try {
    const { size: fileSize } = await file.stat();
    const head = new Uint8Array(Math.min(HEAD_BYTES, fileSize));
    await file.read(head, 0, head.length, 0);
    const ebml = readElement(head, 0);
    const segment = readElement(head, ebml.dataOffset + (ebml.size ?? 0));
    if (ebml.id !== ID.ebml || segment.id !== ID.segment) throw invalid('no EBML header and Segment at the start');
    if (segment.size !== undefined && segment.dataOffset + segment.size !== fileSize) {
      throw invalid('the Segment does not end the file');
    }
    const seekHead = readElement(head, segment.dataOffset);
    if (seekHead.id !== ID.seekHead || seekHead.size === undefined) throw invalid('no SeekHead first in the Segment');
    const seekHeadEnd = seekHead.dataOffset + seekHead.size;
    const after = seekHeadEnd < head.length ? readElement(head, seekHeadEnd) : undefined;
    const roomEnd = after?.id === ID.void && after.size !== undefined ? after.dataOffset + after.size : seekHeadEnd;

    const seekEntry = element(ID.seek, [
      element(ID.seekId, [idBytes(ID.chapters)]),
      element(ID.seekPosition, [uintBytes(fileSize - segment.dataOffset)]),
    ]);
    const seekBody = concat([head.subarray(seekHead.dataOffset, seekHeadEnd), seekEntry]);
    const room = roomEnd - seekHead.offset;
    const newSeekHead = fitWithVoid(seekBody, room);
    if (newSeekHead === undefined) {
      throw invalid(`the SeekHead has no room for one more entry (${room} bytes reserved)`);
    }
    const appended = chaptersElement(chapters, durationUs);
    await writeAt(file, appended, fileSize);
    await writeAt(file, newSeekHead, seekHead.offset);
    if (segment.size !== undefined) {
      await writeAt(
        file,
        vint(segment.size + appended.length, segment.sizeLength),
        segment.dataOffset - segment.sizeLength,
      );
    }
    await file.sync();
  } finally {
    await file.close();
  }
}

function invalid(why: string): VigilError {
  return new VigilError('MEDIA_INVALID', `chapters: the Matroska output cannot take chapters: ${why}`);
}

function chaptersElement(chapters: readonly Chapter[], durationUs: number): Uint8Array {
  const atoms = chapters.map((c, i) => {
    const endUs = chapters[i + 1]?.startUs ?? Math.max(durationUs, c.startUs);
    return element(ID.chapterAtom, [
      element(ID.chapterUid, [uintBytes(i + 1)]),
      element(ID.chapterTimeStart, [uintBytes(Math.round(c.startUs * NS_PER_US))]),
      element(ID.chapterTimeEnd, [uintBytes(Math.round(endUs * NS_PER_US))]),
      element(ID.chapterDisplay, [
        element(ID.chapString, [new TextEncoder().encode(c.title)]),
        element(ID.chapLanguage, [new TextEncoder().encode('und')]),
      ]),
    ]);
  });
  return element(ID.chapters, [element(ID.editionEntry, [element(ID.editionUid, [uintBytes(1)]), ...atoms])]);
}

/** A SeekHead of exactly `room` bytes: its body, then a Void for what is left. */
function fitWithVoid(body: Uint8Array, room: number): Uint8Array | undefined {
  const id = idBytes(ID.seekHead);
  for (let sizeLength = minVintLength(body.length); sizeLength <= MAX_VINT_LENGTH; sizeLength++) {
    const used = id.length + sizeLength + body.length;
    const left = room - used;
    if (left < 0) return undefined;
    // A Void is at least its ID and a one-byte size; one byte left over goes into a longer size field instead.
    if (left === 1) continue;
    const parts = [id, vint(body.length, sizeLength), body];
    if (left > 0) parts.push(voidElement(left));
    return concat(parts);
  }
  return undefined;
}

function voidElement(total: number): Uint8Array {
  const sizeLength = total - 2 <= 126 ? 1 : MAX_VINT_LENGTH;
  const dataLength = total - 1 - sizeLength;
  return concat([idBytes(ID.void), vint(dataLength, sizeLength), new Uint8Array(dataLength)]);
}

function readElement(buf: Uint8Array, offset: number): Element {
  const idLength = vintLength(buf, offset);
  if (idLength > 4) throw invalid(`bad element ID at ${offset}`);
  let id = 0;
  for (let i = 0; i < idLength; i++) id = id * 256 + buf[offset + i]!;
  const sizeAt = offset + idLength;
  const sizeLength = vintLength(buf, sizeAt);
  let size = buf[sizeAt]! & (0xff >> sizeLength);
  let allOnes = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i++) {
    const byte = buf[sizeAt + i]!;
    size = size * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { id, offset, dataOffset: sizeAt + sizeLength, size: allOnes ? undefined : size, sizeLength };
}

function vintLength(buf: Uint8Array, offset: number): number {
  const first = buf[offset];
  if (first === undefined || first === 0) throw invalid(`bad variable-length integer at ${offset}`);
  return Math.clz32(first) - 23;
}

function minVintLength(value: number): number {
  let length = 1;
  // All ones in a length means "unknown": the largest value of each length is left out.
  while (value >= 2 ** (7 * length) - 1) length++;
  return length;
}

function vint(value: number, length = minVintLength(value)): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[0]! |= 0x80 >> (length - 1);
  return out;
}

function idBytes(id: number): Uint8Array {
  const length = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  return uintBytes(id, length);
}

function uintBytes(value: number, length?: number): Uint8Array {
  let n = length ?? 1;
  while (length === undefined && value >= 2 ** (8 * n)) n++;
  const out = new Uint8Array(n);
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

function element(id: number, children: Uint8Array[]): Uint8Array {
  const body = concat(children);
  return concat([idBytes(id), vint(body.length), body]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function writeAt(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  const { bytesWritten } = await file.write(bytes, 0, bytes.length, position);
  if (bytesWritten !== bytes.length) throw invalid('a short write');
}
