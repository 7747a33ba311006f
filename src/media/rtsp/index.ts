export { openNativeRtspSource } from './rtsp-source.js';
export { NativeRtspUnsupported } from './rtsp-tracks.js';
export { wantsNativeRtsp } from './select.js';
