import { invalidArgument, VigilError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import {
  readMfhd,
  readTfdt,
  readTfhd,
  readTrun,
  writeMfhd,
  writeTfdt,
  writeTfhd,
  writeTrun,
} from './boxes/fragment.js';
import type { TfhdFields, TrunFields } from './boxes/fragment.js';
import { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC, SAMPLE_IS_NON_SYNC, U32_MAX } from './flags.js';
import { fourcc } from './fourcc.js';
import { boxBody, childBoxes, findBox, scanBoxes } from './scan.js';
import type { FragmentInfo, SampleInfo, TrackDefaults, TrackRun } from './types.js';

const MDAT_HEADER_BYTES = 8;
const MDAT_LARGE_HEADER_BYTES = 16;
const I32_MAX = 2 ** 31 - 1;

/** An mdat header for `payloadBytes` of payload: 8 bytes, or 16 with a largesize past 4 GiB. */
export function writeMdatHeader(payloadBytes: number): Uint8Array {
  const w = new ByteWriter(MDAT_LARGE_HEADER_BYTES);
  if (payloadBytes + MDAT_HEADER_BYTES <= U32_MAX) {
    w.u32(payloadBytes + MDAT_HEADER_BYTES);
    w.fourcc(fourcc.mdat);
  } else {
    w.u32(1);
    w.fourcc(fourcc.mdat);
    w.u64(payloadBytes + MDAT_LARGE_HEADER_BYTES);
  }
  return w.finish();
}

export type FragmentRun = TrackRun & { payloads: Uint8Array[] };

/**
 * A moof with one traf per run, and the mdat as chunks `[header, ...payloads]` so the caller can
 * write the payloads without copying them together. Each trun's data offset is relative to the
 * start of the moof (tfhd default-base-is-moof), pointing at that run's first payload in the mdat.
 */
export function buildFragment(
  sequenceNumber: number,
  runs: FragmentRun[],
): { moof: Uint8Array; mdatChunks: Uint8Array[] } {
  const runBytes = runs.map((run, i) => checkRun(run, i));
  const payloadBytes = runBytes.reduce((a, b) => a + b, 0);
  const mdatHeader = writeMdatHeader(payloadBytes);

  const w = new ByteWriter(256 + runs.reduce((n, r) => n + r.samples.length * 16, 0));
  const dataOffsetAt: number[] = [];
  w.box(fourcc.moof, () => {
    writeMfhd(w, sequenceNumber);
    for (const run of runs) {
      w.box(fourcc.traf, () => {
        writeTfhd(w, { trackId: run.trackId, defaultBaseIsMoof: true });
        writeTfdt(w, run.baseMediaDecodeTime);
        const at = writeTrun(w, {
          version: 1,
          dataOffset: 0,
          samples: run.samples.map((s) => ({
            sampleDuration: s.durationTicks,
            sampleSize: s.sizeBytes,
            sampleFlags: s.isSync ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC,
            sampleCompositionTimeOffset: s.compositionOffsetTicks,
          })),
        });
        dataOffsetAt.push(at ?? 0);
      });
    }
  });

  let offset = w.position + mdatHeader.length;
  runs.forEach((_run, i) => {
    if (offset > I32_MAX) throw invalidArgument('runs', `data offset ${offset} does not fit a trun's signed 32 bits`);
    w.patchI32(dataOffsetAt[i]!, offset);
    offset += runBytes[i]!;
  });
  return { moof: w.finish(), mdatChunks: [mdatHeader, ...runs.flatMap((r) => r.payloads)] };
}

function checkRun(run: FragmentRun, index: number): number {
  if (run.payloads.length !== run.samples.length) {
    throw invalidArgument(
      `runs[${index}].payloads`,
      `${run.payloads.length} payloads for ${run.samples.length} samples of track ${run.trackId}`,
    );
  }
  let bytes = 0;
  run.samples.forEach((s, j) => {
    const payload = run.payloads[j]!;
    if (payload.length !== s.sizeBytes) {
      throw invalidArgument(
        `runs[${index}].samples[${j}].sizeBytes`,
        `says ${s.sizeBytes} but the payload has ${payload.length} bytes`,
      );
    }
    bytes += payload.length;
  });
  return bytes;
}

/**
 * Reads a moof (the box itself, starting at byte 0). Fields a trun leaves out come from tfhd,
 * then from `trexDefaults`. Data offsets come back relative to the start of the moof; for a
 * tfhd with an explicit base-data-offset (a file offset) pass where the moof sits in its file.
 */
export function readFragment(
  moof: Uint8Array,
  trexDefaults: readonly TrackDefaults[] = [],
  moofFileOffset = 0,
): FragmentInfo {
  const top = scanBoxes(moof)[0];
  if (top === undefined || top.type !== fourcc.moof) {
    throw new VigilError('MEDIA_INVALID', `moof: buffer starts with "${top?.type ?? ''}", not a moof`);
  }
  const children = childBoxes(moof, top);
  const mfhd = findBox(children, fourcc.mfhd);
  const info: FragmentInfo = {
    sequenceNumber: mfhd === undefined ? 0 : readMfhd(new ByteReader(boxBody(moof, mfhd), 'mfhd')),
    runs: [],
  };
  // Without default-base-is-moof, a traf's data starts where the previous traf's data ended.
  let previousTrafEnd = 0;
  for (const traf of children.filter((b) => b.type === fourcc.traf)) {
    const boxes = childBoxes(moof, traf);
    const tfhdBox = findBox(boxes, fourcc.tfhd);
    if (tfhdBox === undefined) throw new VigilError('MEDIA_INVALID', 'traf: no tfhd');
    const tfhd = readTfhd(new ByteReader(boxBody(moof, tfhdBox), 'tfhd'));
    const tfdtBox = findBox(boxes, fourcc.tfdt);
    if (tfdtBox === undefined) throw new VigilError('MEDIA_INVALID', `traf of track ${tfhd.trackId}: no tfdt`);
    let decodeTime = readTfdt(new ByteReader(boxBody(moof, tfdtBox), 'tfdt'));
    const trex = trexDefaults.find((t) => t.trackId === tfhd.trackId);

    const base =
      tfhd.baseDataOffset !== undefined
        ? tfhd.baseDataOffset - moofFileOffset
        : tfhd.defaultBaseIsMoof === true
          ? 0
          : previousTrafEnd;
    let next = base;
    for (const trunBox of boxes.filter((b) => b.type === fourcc.trun)) {
      const trun = readTrun(new ByteReader(boxBody(moof, trunBox), 'trun'));
      const dataOffset = trun.dataOffset !== undefined ? base + trun.dataOffset : next;
      const samples = resolveSamples(trun, tfhd, trex);
      info.runs.push({ trackId: tfhd.trackId, baseMediaDecodeTime: decodeTime, dataOffset, samples });
      for (const s of samples) decodeTime += s.durationTicks;
      next = dataOffset + samples.reduce((n, s) => n + s.sizeBytes, 0);
    }
    previousTrafEnd = next;
  }
  return info;
}

function resolveSamples(trun: TrunFields, tfhd: TfhdFields, trex: TrackDefaults | undefined): SampleInfo[] {
  return trun.samples.map((s, i) => {
    const flags =
      (i === 0 ? trun.firstSampleFlags : undefined) ??
      s.sampleFlags ??
      tfhd.defaultSampleFlags ??
      trex?.defaultSampleFlags ??
      0;
    return {
      durationTicks: s.sampleDuration ?? tfhd.defaultSampleDuration ?? trex?.defaultSampleDuration ?? 0,
      sizeBytes: s.sampleSize ?? tfhd.defaultSampleSize ?? trex?.defaultSampleSize ?? 0,
      isSync: (flags & SAMPLE_IS_NON_SYNC) === 0,
      compositionOffsetTicks: s.sampleCompositionTimeOffset ?? 0,
    };
  });
}
