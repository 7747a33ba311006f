/** The transcode runner: plan a transcode (pure) and run it in a child process that can be killed. */
export { runTranscode } from './runner.js';
export { buildTranscodePlan } from './transcode-plan.js';
export { WATERMARK_FONT_PATH } from './fonts.js';
export type {
  AudioMode,
  Figure,
  Flip,
  Rotation,
  RunTranscodeArgs,
  TimestampWatermark,
  TranscodeContainer,
  TranscodeInput,
  TranscodeInputInfo,
  TranscodeOptions,
  TranscodePlan,
  TranscodeProgress,
  TranscodeResult,
  TranscodeStep,
  TranscodeVideoCodec,
  WallClockPiece,
  WatermarkAlign,
} from './types.js';
