export type {
  AudioCodec,
  AudioTrackConfig,
  BoxLocation,
  FragmentInfo,
  SampleInfo,
  TrackConfig,
  TrackDefaults,
  TrackRun,
  VideoCodec,
  VideoTrackConfig,
} from './types.js';
export { buildInitSegment, readInitSegment, readTrackDefaults } from './init-segment.js';
export type { InitSegmentOptions } from './init-segment.js';
export { buildFragment, readFragment, writeMdatHeader } from './fragment.js';
export type { FragmentRun } from './fragment.js';
export { scanBoxes, childBoxes, findBox, boxBody } from './scan.js';
export { codecString } from './codec-string.js';
export { buildUdta, readUdta } from './boxes/udta.js';
export type { UdtaFields } from './boxes/udta.js';
export {
  isAnnexB,
  splitAnnexB,
  annexBToLengthPrefixed,
  joinLengthPrefixed,
  splitLengthPrefixed,
  lengthPrefixedToAnnexB,
} from './bitstream/annex-b.js';
export { buildAvcDecoderConfig, parseAvcSps, readAvcDecoderConfig, avcNalType } from './bitstream/avc.js';
export type { AvcSps } from './bitstream/avc.js';
export { buildHevcDecoderConfig, parseHevcSps, readHevcDecoderConfig, hevcNalType } from './bitstream/hevc.js';
export type { HevcSps } from './bitstream/hevc.js';
export { buildAudioSpecificConfig, readAudioSpecificConfig } from './bitstream/aac.js';
export type { AudioSpecificConfigFields } from './bitstream/aac.js';
export { toVideoDecoderConfig } from './bitstream/video-config.js';
export type { VideoDecoderConfig } from './bitstream/video-config.js';
export { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC } from './flags.js';
