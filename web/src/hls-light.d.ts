// hls.js ships no types for its light build (no subtitles, DRM or alternate audio, which Vigil does not use).
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
