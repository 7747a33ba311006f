/**
 * RTP packets of one video track → access units of length-prefixed NAL units
 * (what the fMP4 writer stores). An access unit ends with the RTP marker bit,
 * or when a packet with another timestamp arrives (a lost marker). Parameter
 * sets seen in-band replace the current ones; a change is reported with the
 * access unit as a new decoder configuration record (avcC/hvcC).
 */
import { NalAssembler } from './nal-assembler.js';

/** What differs between H.264 (RFC 6184) and H.265 (RFC 7798). */
export interface VideoPayloadFormat {
  readonly parameterSetKinds: readonly string[];
  /** Puts the NAL units (or fragments) of one RTP payload into the assembler. */
  depacketize(data: Buffer, offset: number, length: number, into: NalAssembler): void;
  /** Whether a NAL unit, by its first byte, makes its access unit a keyframe. */
  isKeyframe(firstByte: number): boolean;
  /** Which parameter set a NAL unit is, by its first byte (one of `parameterSetKinds`), if any. */
  parameterSetKind(firstByte: number): string | undefined;
  /** The avcC/hvcC record for a full set, or undefined when one kind is missing or unreadable. */
  buildRecord(sets: ReadonlyMap<string, Uint8Array>): Uint8Array | undefined;
}

/** `release` hands the access unit's memory back once nothing reads `data` any more (slab-allocator.ts). */
export type AccessUnitSink = (
  pts: number,
  data: Buffer,
  isKeyframe: boolean,
  newRecord: Uint8Array | undefined,
  release: () => void,
) => void;

export class VideoDepacketizer {
  private readonly assembler = new NalAssembler();
  private readonly sets = new Map<string, Uint8Array>();
  private auTicks = 0;
  private current: Uint8Array | undefined;
  private keyframe = false;
  private setsChanged = false;

  constructor(
    private readonly format: VideoPayloadFormat,
    initialSets: Uint8Array[],
    private readonly sink: AccessUnitSink,
  ) {
    for (const nal of initialSets) {
      const kind = format.parameterSetKind(nal[0] ?? 0);
      if (kind !== undefined) this.sets.set(kind, nal);
    }
    this.current = format.buildRecord(this.sets);
  }

  /** The decoder configuration record known so far (from the SDP or in-band). */
  get record(): Uint8Array | undefined {
    return this.current;
  }

  /** The latest parameter set of a kind ('sps'). */
  parameterSet(kind: string): Uint8Array | undefined {
    return this.sets.get(kind);
  }

  /** One RTP payload at `ticks` (unwrapped RTP time); `lost` when packets before it went missing. */
  push(data: Buffer, offset: number, length: number, ticks: number, marker: boolean, lost: boolean): void {
    if (!this.assembler.empty && ticks !== this.auTicks) this.flush();
    if (lost) this.assembler.dropFragment();
    this.auTicks = ticks;
    this.format.depacketize(data, offset, length, this.assembler);
    if (marker) this.flush();
  }

  private flush(): void {
    if (this.assembler.empty) return;
    this.keyframe = false;
    this.setsChanged = false;
    this.assembler.forEach(this.inspect);
    let newRecord: Uint8Array | undefined;
    if (this.setsChanged) {
      const record = this.format.buildRecord(this.sets);
      if (record !== undefined && !sameBytes(record, this.current)) {
        this.current = record;
        newRecord = record;
      }
    }
    const unit = this.assembler.take();
    this.sink(this.auTicks, unit.data, this.keyframe, newRecord, unit.release);
  }

  private readonly inspect = (buffer: Buffer, start: number, length: number): void => {
    const first = buffer[start]!;
    if (this.format.isKeyframe(first)) this.keyframe = true;
    const kind = this.format.parameterSetKind(first);
    if (kind === undefined) return;
    const nal = buffer.subarray(start, start + length);
    if (sameBytes(nal, this.sets.get(kind))) return;
    // A copy: the assembly buffer is reused.
    this.sets.set(kind, new Uint8Array(nal));
    this.setsChanged = true;
  };
}

export function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
