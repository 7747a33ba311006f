/**
 * An MPEG-TS export as a virtual file: its size comes from the layout before
 * any payload is read; a byte range is served by reading the payloads of the
 * units it touches (neighbours that sit next to each other in a segment file
 * in one read) and framing them.
 */
import { VigilError } from '../../errors.js';
import type { SampleSelection, SegmentByteReader, ServedBytes, VirtualFile } from '../types.js';
import { planTsLayout, type TsLayout, unitAt } from './ts-layout.js';
import { payloadBytesIn, renderUnit } from './ts-unit.js';

export const TS_CONTENT_TYPE = 'video/mp2t';
/** Payload read ahead per step: big reads for throughput, bounded memory for slow clients. */
const WINDOW_PAYLOAD_BYTES = 2 * 1024 * 1024;

interface SampleRef {
  fileIndex: number;
  fileOffset: number;
  sizeBytes: number;
  /** Filled once read. */
  bytes?: Uint8Array;
}

async function readAll(
  reader: SegmentByteReader,
  selection: SampleSelection,
  fileIndex: number,
  offset: number,
  length: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const file = selection.files[fileIndex];
  if (file === undefined) throw new VigilError('INTERNAL', `sample refers to file ${fileIndex}, not in the selection`);
  const chunks: Uint8Array[] = [];
  let got = 0;
  for await (const chunk of reader.read(file, offset, length, signal)) {
    chunks.push(chunk);
    got += chunk.length;
  }
  if (got !== length) {
    throw new VigilError('STORAGE_FAILED', `segment ${file.path}: read ${got} bytes at ${offset}, expected ${length}`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Reads every ref's bytes, one read per run of refs that are adjacent in the same file. */
async function readRefs(
  reader: SegmentByteReader,
  selection: SampleSelection,
  refs: SampleRef[],
  signal: AbortSignal,
): Promise<void> {
  const sorted = [...refs].sort((x, y) => x.fileIndex - y.fileIndex || x.fileOffset - y.fileOffset);
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start.fileOffset + start.sizeBytes;
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.fileIndex === start.fileIndex && sorted[j]!.fileOffset === end) {
      end += sorted[j]!.sizeBytes;
      j++;
    }
    const bytes = await readAll(reader, selection, start.fileIndex, start.fileOffset, end - start.fileOffset, signal);
    for (let k = i; k < j; k++) {
      const ref = sorted[k]!;
      ref.bytes = bytes.subarray(ref.fileOffset - start.fileOffset, ref.fileOffset - start.fileOffset + ref.sizeBytes);
    }
    i = j;
  }
}

export class TsVirtualFile implements VirtualFile {
  readonly contentType = TS_CONTENT_TYPE;
  readonly sizeBytes: number;
  readonly layout: TsLayout;
  readonly #served: ServedBytes = { fromRam: 0, fromDisk: 0, fromRemote: 0 };
  readonly #remote: boolean;

  constructor(
    private readonly selection: SampleSelection,
    private readonly reader: SegmentByteReader,
  ) {
    this.layout = planTsLayout(selection);
    this.sizeBytes = this.layout.sizeBytes;
    this.#remote = reader.source === 'remote';
  }

  get served(): ServedBytes {
    return { ...this.#served };
  }

  /** Tracks left out of the output, with the reason (G.711 audio, extra tracks). */
  get leftOut(): readonly string[] {
    return this.layout.leftOut;
  }

  async *read(start: number, end: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      end < start ||
      end > this.sizeBytes
    ) {
      throw new VigilError(
        'RANGE_NOT_SATISFIABLE',
        `range: bytes [${start}, ${end}) are not inside the ${this.sizeBytes}-byte file`,
        { field: 'range' },
      );
    }
    if (start === end) return;
    const { layout } = this;
    let u = unitAt(layout, start);
    while (u < layout.unitCount && layout.unitOffset[u]! < end) {
      signal.throwIfAborted();
      const windowEnd = this.windowEnd(u, end);
      const refs = this.sampleRefs(u, windowEnd);
      await readRefs(this.reader, this.selection, refs.flat(), signal);
      for (let w = u; w < windowEnd; w++) {
        signal.throwIfAborted();
        const unit = renderUnit(
          layout,
          w,
          refs[w - u]!.map((r) => r.bytes!),
        );
        const unitStart = layout.unitOffset[w]!;
        const a = Math.max(start, unitStart) - unitStart;
        const b = Math.min(end, layout.unitOffset[w + 1]!) - unitStart;
        const payload = payloadBytesIn(unit, a, b);
        if (this.#remote) this.#served.fromRemote += payload;
        else this.#served.fromDisk += payload;
        this.#served.fromRam += b - a - payload;
        yield unit.bytes.subarray(a, b);
      }
      u = windowEnd;
    }
  }

  /** The units after `u` read together: up to WINDOW_PAYLOAD_BYTES of payload, at least one unit. */
  private windowEnd(u: number, end: number): number {
    const { layout } = this;
    let w = u + 1;
    let bytes = layout.unitPesBytes[u]!;
    while (
      w < layout.unitCount &&
      layout.unitOffset[w]! < end &&
      bytes + layout.unitPesBytes[w]! <= WINDOW_PAYLOAD_BYTES
    ) {
      bytes += layout.unitPesBytes[w]!;
      w++;
    }
    return w;
  }

  private sampleRefs(from: number, to: number): SampleRef[][] {
    const { layout } = this;
    const out: SampleRef[][] = [];
    for (let w = from; w < to; w++) {
      const s = layout.tracks[layout.unitTrack[w]!]!.samples;
      const first = layout.unitFirstSample[w]!;
      const refs: SampleRef[] = [];
      for (let i = first; i < first + layout.unitSampleCount[w]!; i++) {
        refs.push({ fileIndex: s.fileIndex[i]!, fileOffset: s.fileOffset[i]!, sizeBytes: s.sizeBytes[i]! });
      }
      out.push(refs);
    }
    return out;
  }
}

/** The MPEG-TS output of a selection (`video/mp2t`); G.711 tracks are left out (see TsVirtualFile.leftOut). */
export function createTsFile(selection: SampleSelection, reader: SegmentByteReader): VirtualFile {
  return new TsVirtualFile(selection, reader);
}
