/**
 * The bytes of one layout unit, given its samples' recorded payloads. Pure:
 * the caller reads the payloads; this only frames them.
 */
import { VigilError } from '../../errors.js';
import { ADTS_HEADER_BYTES, writeAdtsHeader, type VideoEsConfig } from './es-config.js';
import {
  AUDIO_PES_HEADER_BYTES,
  pesBytesInOutput,
  VIDEO_PES_HEADER_BYTES,
  writePesHeader,
  writePesPackets,
} from './pes-packets.js';
import { PSI_BYTES, writeProgramTables } from './psi.js';
import { CC_MASK } from './ts-constants.js';
import { decodeTime90, PCR_LEAD_90, presentationTime90, type TsLayout } from './ts-layout.js';

export interface RenderedUnit {
  bytes: Uint8Array;
  /** Where the PES starts in `bytes` (after PAT + PMT, if any). */
  pesOffset: number;
  pesBytes: number;
  withPcr: boolean;
  /** Sorted [start, end) pairs of PES offsets that hold recorded payload (the rest is generated). */
  payloadRanges: number[];
}

/**
 * Copies a length-prefixed sample to `out[at]` as Annex B: each length field becomes a start code
 * of the same size. An access unit delimiter the sample starts with is dropped (ours is already in
 * front) and made up for with trailing zero bytes, which Annex B allows after any NAL unit.
 */
function writeAnnexB(out: Uint8Array, at: number, sample: Uint8Array, es: VideoEsConfig, what: string): void {
  const lengthBytes = es.nalLengthBytes;
  const nalLength = (pos: number): number => {
    if (pos + lengthBytes > sample.length) {
      throw new VigilError('MEDIA_INVALID', `${what}: NAL length field runs past the ${sample.length}-byte sample`);
    }
    let len = 0;
    for (let i = 0; i < lengthBytes; i++) len = len * 256 + sample[pos + i]!;
    if (pos + lengthBytes + len > sample.length) {
      throw new VigilError(
        'MEDIA_INVALID',
        `${what}: a ${len}-byte NAL unit runs past the ${sample.length}-byte sample`,
      );
    }
    return len;
  };
  let skip = 0;
  if (sample.length > lengthBytes) {
    const firstLength = nalLength(0);
    if (firstLength > 0 && es.isAud(sample[lengthBytes]!)) skip = lengthBytes + firstLength;
  }
  out.set(sample.subarray(skip), at);
  out.fill(0, at + sample.length - skip, at + sample.length);
  for (let pos = skip; pos < sample.length;) {
    const len = nalLength(pos);
    const o = at + pos - skip;
    out.fill(0, o, o + lengthBytes - 1);
    out[o + lengthBytes - 1] = 1;
    pos += lengthBytes + len;
  }
}

function checkPayloads(payloads: readonly Uint8Array[], sizes: Uint32Array, first: number, what: string): void {
  payloads.forEach((p, j) => {
    if (p.length !== sizes[first + j]) {
      throw new VigilError('INTERNAL', `${what}: got ${p.length} payload bytes for a ${sizes[first + j]}-byte sample`);
    }
  });
}

/** Renders unit `u`; `payloads` are its samples' bytes as recorded, in order. */
export function renderUnit(layout: TsLayout, u: number, payloads: readonly Uint8Array[]): RenderedUnit {
  const track = layout.tracks[layout.unitTrack[u]!]!;
  const first = layout.unitFirstSample[u]!;
  const pesBytes = layout.unitPesBytes[u]!;
  const what = `track ${track.config.trackId} sample ${first}`;
  checkPayloads(payloads, track.samples.sizeBytes, first, what);
  const pes = new Uint8Array(pesBytes);
  const payloadRanges: number[] = [];
  const pts = presentationTime90(track, first);
  const keyframe = track.samples.isSync[first] === 1;
  if (track.kind === 'video') {
    const h = writePesHeader(pes, track.streamId, pesBytes - VIDEO_PES_HEADER_BYTES, pts, decodeTime90(track, first));
    const prefix = keyframe ? track.es.keyframePrefix : track.es.framePrefix;
    pes.set(prefix, h);
    writeAnnexB(pes, h + prefix.length, payloads[0]!, track.es, what);
    payloadRanges.push(h + prefix.length, pesBytes);
  } else {
    let pos = writePesHeader(pes, track.streamId, pesBytes - AUDIO_PES_HEADER_BYTES, pts, undefined);
    for (const frame of payloads) {
      writeAdtsHeader(pes, pos, track.adts, frame.length);
      pes.set(frame, pos + ADTS_HEADER_BYTES);
      payloadRanges.push(pos + ADTS_HEADER_BYTES, pos + ADTS_HEADER_BYTES + frame.length);
      pos += ADTS_HEADER_BYTES + frame.length;
    }
  }
  const withPcr = track.pid === layout.pcrPid;
  const hasTables = layout.unitHasTables[u] === 1;
  const pesOffset = hasTables ? PSI_BYTES : 0;
  const bytes = new Uint8Array(layout.unitOffset[u + 1]! - layout.unitOffset[u]!);
  const cc = layout.unitCc[u]!;
  if (hasTables) writeProgramTables(bytes, 0, layout.tables, cc >> 4);
  writePesPackets(bytes, pesOffset, pes, {
    pid: track.pid,
    cc: cc & CC_MASK,
    pcr: withPcr ? decodeTime90(track, first) - PCR_LEAD_90 : undefined,
    randomAccess: keyframe,
  });
  return { bytes, pesOffset, pesBytes, withPcr, payloadRanges };
}

/** Recorded payload bytes among the unit's bytes [a, b). */
export function payloadBytesIn(unit: RenderedUnit, a: number, b: number): number {
  const from = Math.max(0, a - unit.pesOffset);
  const to = b - unit.pesOffset;
  return pesBytesInOutput(from, to, unit.pesBytes, unit.withPcr, unit.payloadRanges);
}
