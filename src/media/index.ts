export { createMediaEngine } from './engine.js';
export { aacLcAudioSpecificConfig } from './aac-transcoder.js';
export { decodeFileThumbnail } from './file-thumbnail.js';
export type { FileThumbnailOptions } from './file-thumbnail.js';
export type {
  AudioTranscoder,
  MediaEngine,
  MediaSource,
  OpenSourceOptions,
  Rational,
  SourceCodec,
  SourcePacket,
  SourceTrack,
} from './types.js';
