/** The frame publisher: frames produced by code → RTMP, RTSP, live HLS or a file. */
export {
  StreamPublisher,
  type PublisherCounters,
  type PublisherState,
  type StreamPublisherEvents,
  type StreamPublisherOptions,
} from './stream-publisher.js';
export {
  PUBLISHER_CODECS,
  PUBLISHER_PIXEL_FORMATS,
  X26X_PRESETS,
  type PublisherCodec,
  type PublisherParameterValues,
  type PublisherParameters,
  type PublisherPixelFormat,
  type SourceDescription,
  type X26xPreset,
} from './parameters.js';
export { probeSource } from './source-probe.js';
export { paintTestFrame } from './test-pattern.js';
