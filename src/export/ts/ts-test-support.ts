/**
 * Test support for the TS muxer: synthetic selections over an in-memory
 * "segment file", a reader over it, and a minimal demuxer that checks packet
 * structure while it collects each PID's PES payloads.
 */
import assert from 'node:assert/strict';
import { buildAudioSpecificConfig } from '../../mp4/bitstream/aac.js';
import type { AudioTrackConfig, TrackConfig, VideoTrackConfig } from '../../mp4/types.js';
import type { SampleSelection, SegmentByteReader, SegmentFileRef, TrackSamples } from '../types.js';
import { planTsLayout, type TsLayout } from './ts-layout.js';
import { renderUnit } from './ts-unit.js';

export const SPS = Uint8Array.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80]);
export const PPS = Uint8Array.from([0x68, 0xce, 0x3c, 0x80]);

/** An avcC with one SPS and one PPS and the given NAL length size. */
export function avcC(nalLengthBytes = 4): Uint8Array {
  return Uint8Array.from([
    1,
    0x42,
    0xc0,
    0x1e,
    0xfc | (nalLengthBytes - 1),
    0xe1,
    0,
    SPS.length,
    ...SPS,
    1,
    0,
    PPS.length,
    ...PPS,
  ]);
}

export const videoConfig = (nalLengthBytes = 4): VideoTrackConfig => ({
  kind: 'video',
  trackId: 1,
  timescale: 90_000,
  codec: 'avc1',
  width: 320,
  height: 240,
  decoderConfig: avcC(nalLengthBytes),
});

export const aacConfig: AudioTrackConfig = {
  kind: 'audio',
  trackId: 2,
  timescale: 48_000,
  codec: 'mp4a',
  sampleRate: 48_000,
  channelCount: 2,
  decoderConfig: buildAudioSpecificConfig({ sampleRate: 48_000, channelCount: 2 }),
};

export const ulawConfig: AudioTrackConfig = {
  kind: 'audio',
  trackId: 3,
  timescale: 8_000,
  codec: 'ulaw',
  sampleRate: 8_000,
  channelCount: 1,
  decoderConfig: new Uint8Array(0),
};

export interface SyntheticTrack {
  config: TrackConfig;
  sizes: number[];
  durationTicks: number;
  /** Sync flags; every sample when absent. */
  sync?: boolean[];
  presentationStartTicks?: number;
}

/** A selection whose samples lie back to back in one in-memory file, track after track. */
export function syntheticSelection(tracks: SyntheticTrack[]): { selection: SampleSelection; file: Uint8Array } {
  const total = tracks.reduce((n, t) => n + t.sizes.reduce((a, b) => a + b, 0), 0);
  const file = new Uint8Array(total);
  let offset = 0;
  const samples: TrackSamples[] = tracks.map((t, ti) => {
    const n = t.sizes.length;
    const s: TrackSamples = {
      config: t.config,
      count: n,
      decodeTicks: Float64Array.from({ length: n }, (_, i) => i * t.durationTicks),
      durationTicks: new Uint32Array(n).fill(t.durationTicks),
      compositionOffsetTicks: new Int32Array(n),
      sizeBytes: Uint32Array.from(t.sizes),
      isSync: Uint8Array.from({ length: n }, (_, i) => ((t.sync?.[i] ?? true) ? 1 : 0)),
      fileIndex: new Uint32Array(n),
      fileOffset: new Float64Array(n),
      presentationStartTicks: t.presentationStartTicks ?? 0,
    };
    t.sizes.forEach((size, i) => {
      s.fileOffset[i] = offset;
      fillSample(file.subarray(offset, offset + size), t.config.kind === 'video', ti * 1000 + i);
      offset += size;
    });
    return s;
  });
  const selection: SampleSelection = {
    request: { stream: 'cam', variant: 'main', fromUs: 0, toUs: 1, gaps: 'collapse' },
    firstShownUs: 0,
    lastShownEndUs: 1,
    durationUs: 1,
    files: [{ root: '/nowhere', path: 'cam.mp4' }],
    tracks: samples,
    pieces: [],
  };
  return { selection, file };
}

/** Video samples are one length-prefixed NAL unit (a slice); audio ones are patterned bytes. */
function fillSample(out: Uint8Array, video: boolean, seed: number): void {
  for (let i = 0; i < out.length; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  if (video) {
    new DataView(out.buffer, out.byteOffset).setUint32(0, out.length - 4);
    out[4] = 0x41;
  }
}

/** Reads the in-memory file in small chunks, counting calls. */
export class MemoryReader implements SegmentByteReader {
  calls = 0;
  constructor(
    private readonly file: Uint8Array,
    readonly source: 'disk' | 'remote' = 'disk',
  ) {}

  async *read(_file: SegmentFileRef, offset: number, length: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
    this.calls += 1;
    for (let p = offset; p < offset + length; p += 1000) {
      signal.throwIfAborted();
      yield this.file.slice(p, Math.min(offset + length, p + 1000));
    }
  }
}

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

export interface DemuxedPes {
  pid: number;
  /** Byte offset of the packet that starts it. */
  offset: number;
  pcr: number | undefined;
  randomAccess: boolean;
  data: Uint8Array;
}

/**
 * Splits a TS into PES (and PSI sections) per PID. Asserts what a player relies on: 188-byte
 * packets with the sync byte, continuity counters that step by one per PID, and an adaptation
 * field that fits its packet.
 */
export function demux(ts: Uint8Array): DemuxedPes[] {
  assert.equal(ts.length % 188, 0, 'whole packets');
  const out: DemuxedPes[] = [];
  const open = new Map<number, { pes: DemuxedPes; parts: Uint8Array[] }>();
  const lastCc = new Map<number, number>();
  const close = (pid: number): void => {
    const o = open.get(pid);
    if (o !== undefined) out.push({ ...o.pes, data: Buffer.concat(o.parts) });
    open.delete(pid);
  };
  for (let p = 0; p < ts.length; p += 188) {
    assert.equal(ts[p], 0x47, `sync byte at ${p}`);
    const pid = ((ts[p + 1]! & 0x1f) << 8) | ts[p + 2]!;
    const start = (ts[p + 1]! & 0x40) !== 0;
    const afc = (ts[p + 3]! >> 4) & 3;
    const cc = ts[p + 3]! & 0xf;
    const prev = lastCc.get(pid);
    if (prev !== undefined) assert.equal(cc, (prev + 1) & 0xf, `continuity counter of PID ${pid} at ${p}`);
    lastCc.set(pid, cc);
    let q = p + 4;
    let pcr: number | undefined;
    let randomAccess = false;
    if (afc === 3) {
      const afLength = ts[q]!;
      assert.ok(afLength <= 183, `adaptation field fits at ${p}`);
      if (afLength > 0) {
        randomAccess = (ts[q + 1]! & 0x40) !== 0;
        if ((ts[q + 1]! & 0x10) !== 0) {
          pcr = ts[q + 2]! * 2 ** 25 + ts[q + 3]! * 2 ** 17 + ts[q + 4]! * 2 ** 9 + ts[q + 5]! * 2 + (ts[q + 6]! >> 7);
        }
      }
      q += 1 + afLength;
    } else {
      assert.equal(afc, 1, `adaptation_field_control at ${p}`);
    }
    if (start) {
      close(pid);
      open.set(pid, { pes: { pid, offset: p, pcr, randomAccess, data: new Uint8Array(0) }, parts: [] });
    }
    open.get(pid)?.parts.push(ts.subarray(q, p + 188));
  }
  for (const pid of [...open.keys()]) close(pid);
  return out.sort((x, y) => x.offset - y.offset);
}

/** A PES header's PTS and DTS (90 kHz), and where its payload starts. */
export function readPesHeader(pes: Uint8Array): { pts: number; dts: number; payload: Uint8Array } {
  assert.deepEqual([...pes.subarray(0, 3)], [0, 0, 1], 'PES start code');
  const ts = (at: number): number =>
    ((pes[at]! >> 1) & 7) * 2 ** 30 +
    ((pes[at + 1]! << 7) | (pes[at + 2]! >> 1)) * 2 ** 15 +
    ((pes[at + 3]! << 7) | (pes[at + 4]! >> 1));
  const pts = ts(9);
  const dts = (pes[7]! & 0x40) !== 0 ? ts(14) : pts;
  return { pts, dts, payload: pes.subarray(9 + pes[8]!) };
}

/**
 * The whole output of a synthetic selection, unit by unit, each unit's samples
 * read straight from the file: what any read of the virtual file must equal.
 * Checks every unit against the size the layout announced for it.
 */
export function renderAllUnits(t: SyntheticTrack[]): { ts: Uint8Array; layout: TsLayout } {
  const { selection, file } = syntheticSelection(t);
  const layout = planTsLayout(selection);
  const parts: Uint8Array[] = [];
  for (let u = 0; u < layout.unitCount; u++) {
    const s = layout.tracks[layout.unitTrack[u]!]!.samples;
    const first = layout.unitFirstSample[u]!;
    const payloads = Array.from({ length: layout.unitSampleCount[u]! }, (_, j) => {
      const o = s.fileOffset[first + j]!;
      return file.subarray(o, o + s.sizeBytes[first + j]!);
    });
    const unit = renderUnit(layout, u, payloads);
    assert.equal(unit.bytes.length, layout.unitOffset[u + 1]! - layout.unitOffset[u]!, `unit ${u} size`);
    parts.push(unit.bytes);
  }
  return { ts: Buffer.concat(parts), layout };
}
