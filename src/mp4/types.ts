/**
 * Shapes shared by the box layer and its users (recorder, archive, exporter).
 * Times are in track ticks (`timescale` ticks per second); sizes in bytes.
 */

export type VideoCodec = 'avc1' | 'hvc1' | 'hev1';
/** AAC, or G.711 kept as recorded (QuickTime-style `ulaw`/`alaw` sample entries; browsers cannot play it). */
export type AudioCodec = 'mp4a' | 'ulaw' | 'alaw';

export interface VideoTrackConfig {
  kind: 'video';
  trackId: number;
  timescale: number;
  codec: VideoCodec;
  width: number;
  height: number;
  /** The decoder configuration record: the avcC or hvcC box payload. */
  decoderConfig: Uint8Array;
}

export interface AudioTrackConfig {
  kind: 'audio';
  trackId: number;
  timescale: number;
  codec: AudioCodec;
  sampleRate: number;
  channelCount: number;
  /** The AudioSpecificConfig carried in esds; empty for ulaw/alaw. */
  decoderConfig: Uint8Array;
}

export type TrackConfig = VideoTrackConfig | AudioTrackConfig;

/** One sample's row in a trun: everything a header needs, no payload. */
export interface SampleInfo {
  durationTicks: number;
  sizeBytes: number;
  isSync: boolean;
  /** Presentation minus decode time, in ticks (signed; trun version 1). */
  compositionOffsetTicks: number;
}

/** One track's run of samples inside a fragment. */
export interface TrackRun {
  trackId: number;
  /** Decode time of the first sample, in ticks (tfdt, 64-bit). */
  baseMediaDecodeTime: number;
  samples: SampleInfo[];
}

/** A parsed moof: what the index stores and the exporter plans from. */
export interface FragmentInfo {
  sequenceNumber: number;
  runs: Array<
    TrackRun & {
      /** Offset of this run's first payload byte, relative to the start of the moof. */
      dataOffset: number;
    }
  >;
}

/** A top-level box found while scanning a file or buffer. */
export interface BoxLocation {
  type: string;
  /** Offset of the box header from the start of the scanned buffer. */
  offset: number;
  /** Whole box size including its header; for a box that runs past the end, the declared size. */
  size: number;
  headerSize: number;
}

/** Per-track sample defaults from `trex` (moov/mvex), used where a moof leaves a field out. */
export interface TrackDefaults {
  trackId: number;
  defaultSampleDescriptionIndex: number;
  defaultSampleDuration: number;
  defaultSampleSize: number;
  defaultSampleFlags: number;
}
