/**
 * The MPEG-TS layout of a sample selection, computed before any payload is
 * read. The output is a sequence of units: one video sample, or a short run of
 * AAC frames, each as one PES (PAT + PMT in front of every video keyframe).
 * A unit's size follows from its samples' sizes and flags, so a prefix sum
 * of unit sizes maps any byte offset to the unit that holds it. Pure.
 */
import { VigilError } from '../../errors.js';
import type { AudioTrackConfig, VideoTrackConfig } from '../../mp4/types.js';
import type { SampleSelection, TrackSamples } from '../types.js';
import {
  ADTS_HEADER_BYTES,
  ADTS_MAX_FRAME_BYTES,
  adtsConfig,
  type AdtsConfig,
  videoEsConfig,
  type VideoEsConfig,
} from './es-config.js';
import { AUDIO_PES_HEADER_BYTES, pesPacketCount, VIDEO_PES_HEADER_BYTES } from './pes-packets.js';
import { buildProgramTables, type ProgramTables, PSI_BYTES } from './psi.js';
import {
  CC_MASK,
  CLOCK_HZ,
  PID_AUDIO,
  PID_VIDEO,
  STREAM_ID_AUDIO,
  STREAM_ID_VIDEO,
  STREAM_TYPE_AAC_ADTS,
  TS_PACKET_BYTES,
} from './ts-constants.js';

/** The first DTS: room for B-frame reordering and a PCR lead, as common muxers leave (1.4 s). */
export const INITIAL_OFFSET_90 = 126_000;
/** PCR runs this far behind the video DTS it travels with, the decoder's buffering time. */
export const PCR_LEAD_90 = 63_000;
/** AAC frames per PES stay within the T-STD audio buffer (3584 bytes) and 100 ms of sound. */
const AUDIO_PES_MAX_PAYLOAD_BYTES = 2930;
const AUDIO_PES_MAX_SPAN_SECONDS = 0.1;
const MAX_FRAMES_PER_UNIT = 0xffff;

interface TsTrackBase {
  pid: number;
  streamId: number;
  streamType: number;
  samples: TrackSamples;
  /** 90 kHz ticks added to each sample's rescaled decode and presentation time. */
  offset90: number;
}
export interface TsVideoTrack extends TsTrackBase {
  kind: 'video';
  config: VideoTrackConfig;
  es: VideoEsConfig;
}
export interface TsAudioTrack extends TsTrackBase {
  kind: 'audio';
  config: AudioTrackConfig;
  adts: AdtsConfig;
}
export type TsTrack = TsVideoTrack | TsAudioTrack;

export interface TsLayout {
  sizeBytes: number;
  /** Video (when there is one) first. */
  tracks: TsTrack[];
  pcrPid: number;
  tables: ProgramTables;
  /** Why a track of the selection is not in the output. */
  leftOut: string[];
  unitCount: number;
  /** Per unit: index into `tracks`, first sample and sample count. */
  unitTrack: Uint8Array;
  unitFirstSample: Uint32Array;
  unitSampleCount: Uint16Array;
  unitPesBytes: Uint32Array;
  /** 1 when PAT + PMT precede the unit's PES. */
  unitHasTables: Uint8Array;
  /** Continuity counters at the unit's start: its PID's (low nibble) and the tables' (high nibble). */
  unitCc: Uint8Array;
  /** Output offset of each unit; unitOffset[unitCount] = sizeBytes. */
  unitOffset: Float64Array;
}

export function decodeTime90(track: TsTrack, sample: number): number {
  const s = track.samples;
  return track.offset90 + Math.round((s.decodeTicks[sample]! * CLOCK_HZ) / s.config.timescale);
}

export function presentationTime90(track: TsTrack, sample: number): number {
  const s = track.samples;
  const ticks = s.decodeTicks[sample]! + s.compositionOffsetTicks[sample]!;
  return track.offset90 + Math.round((ticks * CLOCK_HZ) / s.config.timescale);
}

/** The first video track and the first AAC track; the rest is named in `leftOut`. */
function chooseTracks(selection: SampleSelection): { chosen: TsTrack[]; leftOut: string[] } {
  const chosen: TsTrack[] = [];
  const leftOut: string[] = [];
  let video: TrackSamples | undefined;
  let audio: TrackSamples | undefined;
  for (const samples of selection.tracks) {
    const c = samples.config;
    const name = `track ${c.trackId} (${c.codec})`;
    if (samples.count === 0) leftOut.push(`${name}: no samples in the range`);
    else if (c.kind === 'video' && video === undefined) video = samples;
    else if (c.kind === 'audio' && c.codec === 'mp4a' && audio === undefined) audio = samples;
    else if (c.kind === 'audio' && c.codec !== 'mp4a') leftOut.push(`${name}: G.711 is not carried in MPEG-TS exports`);
    else leftOut.push(`${name}: only one ${c.kind} track is carried`);
  }
  if (video !== undefined && video.config.kind === 'video') {
    const es = videoEsConfig(video.config);
    const common = {
      offset90: 0,
      pid: PID_VIDEO,
      streamId: STREAM_ID_VIDEO,
      streamType: es.streamType,
      samples: video,
    };
    chosen.push({ ...common, kind: 'video', config: video.config, es });
  }
  if (audio !== undefined && audio.config.kind === 'audio') {
    const adts = adtsConfig(audio.config);
    const common = {
      offset90: 0,
      pid: PID_AUDIO,
      streamId: STREAM_ID_AUDIO,
      streamType: STREAM_TYPE_AAC_ADTS,
      samples: audio,
    };
    chosen.push({ ...common, kind: 'audio', config: audio.config, adts });
  }
  if (chosen.length === 0) {
    throw new VigilError(
      'NOT_IMPLEMENTED',
      `MPEG-TS export needs an H.264/H.265 or AAC track; this range has ${leftOut.join('; ') || 'no tracks'}`,
    );
  }
  return { chosen, leftOut };
}

/**
 * Puts every track on one 90 kHz axis: each track's presentation start (the instant the selection
 * shows first) lines up, and the earliest first sample lands at INITIAL_OFFSET_90.
 */
function alignTracks(chosen: TsTrack[]): TsTrack[] {
  const shift = (t: TsTrack): number => -t.samples.presentationStartTicks / t.samples.config.timescale;
  const first = (t: TsTrack): number => t.samples.decodeTicks[0]! / t.samples.config.timescale;
  const base = Math.min(...chosen.map((t) => first(t) + shift(t)));
  return chosen.map((t) => ({ ...t, offset90: INITIAL_OFFSET_90 + Math.round((shift(t) - base) * CLOCK_HZ) }));
}

/** Runs of consecutive AAC frames, each run one PES: [first, count] pairs. */
function groupAudioFrames(samples: TrackSamples): { first: Uint32Array; count: Uint16Array; groups: number } {
  const first = new Uint32Array(samples.count);
  const count = new Uint16Array(samples.count);
  const maxSpanTicks = AUDIO_PES_MAX_SPAN_SECONDS * samples.config.timescale;
  let groups = 0;
  let bytes = 0;
  for (let i = 0; i < samples.count; i++) {
    const frameBytes = ADTS_HEADER_BYTES + samples.sizeBytes[i]!;
    if (frameBytes > ADTS_MAX_FRAME_BYTES) {
      throw new VigilError(
        'MEDIA_INVALID',
        `AAC frame ${i} is ${samples.sizeBytes[i]} bytes, more than ADTS can frame`,
      );
    }
    const g = groups - 1;
    const start = first[g] ?? 0;
    const joins =
      groups > 0 &&
      count[g]! < MAX_FRAMES_PER_UNIT &&
      bytes + frameBytes <= AUDIO_PES_MAX_PAYLOAD_BYTES &&
      samples.decodeTicks[i]! + samples.durationTicks[i]! - samples.decodeTicks[start]! <= maxSpanTicks &&
      // A jump in time (a kept gap) must start a new PES: only its first frame has a timestamp.
      samples.decodeTicks[i - 1]! + samples.durationTicks[i - 1]! === samples.decodeTicks[i]!;
    if (joins) {
      count[g]! += 1;
      bytes += frameBytes;
    } else {
      first[groups] = i;
      count[groups] = 1;
      groups += 1;
      bytes = frameBytes;
    }
  }
  return { first, count, groups };
}

export function planTsLayout(selection: SampleSelection): TsLayout {
  const { chosen, leftOut } = chooseTracks(selection);
  const tracks = alignTracks(chosen);
  const pcrPid = tracks[0]!.pid;
  const tables = buildProgramTables(tracks, pcrPid);
  const videoIndex = tracks.findIndex((t) => t.kind === 'video');
  const audioIndex = tracks.findIndex((t) => t.kind === 'audio');
  const video = tracks.find((t): t is TsVideoTrack => t.kind === 'video');
  const audio = tracks.find((t): t is TsAudioTrack => t.kind === 'audio');
  const audioGroups = audio === undefined ? undefined : groupAudioFrames(audio.samples);
  const videoUnits = video?.samples.count ?? 0;
  const audioUnits = audioGroups?.groups ?? 0;
  const n = videoUnits + audioUnits;

  const layout: TsLayout = {
    sizeBytes: 0,
    tracks,
    pcrPid,
    tables,
    leftOut,
    unitCount: n,
    unitTrack: new Uint8Array(n),
    unitFirstSample: new Uint32Array(n),
    unitSampleCount: new Uint16Array(n),
    unitPesBytes: new Uint32Array(n),
    unitHasTables: new Uint8Array(n),
    unitCc: new Uint8Array(n),
    unitOffset: new Float64Array(n + 1),
  };
  const cc = new Map<number, number>(tracks.map((t) => [t.pid, 0]));
  let tablesCc = 0;
  let offset = 0;
  let v = 0;
  let a = 0;
  for (let u = 0; u < n; u++) {
    // Interleave by decode time; on a tie the video goes first (it carries the PCR).
    const takeVideo =
      video !== undefined &&
      v < videoUnits &&
      (a >= audioUnits || decodeTime90(video, v) <= decodeTime90(audio!, audioGroups!.first[a]!));
    let track: TsTrack;
    let pesBytes: number;
    let keyframe = false;
    if (takeVideo) {
      track = video;
      keyframe = video.samples.isSync[v] === 1;
      const prefix = keyframe ? video.es.keyframePrefix : video.es.framePrefix;
      pesBytes = VIDEO_PES_HEADER_BYTES + prefix.length + video.samples.sizeBytes[v]!;
      layout.unitTrack[u] = videoIndex;
      layout.unitFirstSample[u] = v;
      layout.unitSampleCount[u] = 1;
      v += 1;
    } else {
      track = audio!;
      const first = audioGroups!.first[a]!;
      const count = audioGroups!.count[a]!;
      pesBytes = AUDIO_PES_HEADER_BYTES;
      for (let i = first; i < first + count; i++) pesBytes += ADTS_HEADER_BYTES + track.samples.sizeBytes[i]!;
      layout.unitTrack[u] = audioIndex;
      layout.unitFirstSample[u] = first;
      layout.unitSampleCount[u] = count;
      a += 1;
    }
    const hasTables = u === 0 || keyframe;
    const pidCc = cc.get(track.pid)!;
    const packets = pesPacketCount(pesBytes, track.pid === pcrPid);
    layout.unitPesBytes[u] = pesBytes;
    layout.unitHasTables[u] = hasTables ? 1 : 0;
    layout.unitCc[u] = (pidCc & CC_MASK) | ((tablesCc & CC_MASK) << 4);
    layout.unitOffset[u] = offset;
    cc.set(track.pid, (pidCc + packets) & CC_MASK);
    if (hasTables) tablesCc = (tablesCc + 1) & CC_MASK;
    offset += (hasTables ? PSI_BYTES : 0) + packets * TS_PACKET_BYTES;
  }
  layout.unitOffset[n] = offset;
  layout.sizeBytes = offset;
  return layout;
}

/** The unit holding output byte `offset` (0 ≤ offset < sizeBytes). */
export function unitAt(layout: TsLayout, offset: number): number {
  let lo = 0;
  let hi = layout.unitCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.unitOffset[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
