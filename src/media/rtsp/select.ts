/** When the native RTSP client reads a source instead of node-av. */
import type { OpenSourceOptions } from '../types.js';

/**
 * rtsp:// over TCP, unless the options ask for `ffmpeg` or, with no choice in
 * the options, VIGIL_RTSP_CLIENT=ffmpeg. rtsps:// and UDP stay with FFmpeg.
 * Native is the default because it is what makes the recorder cheaper than
 * ffmpeg per stream (README "Recorder cost").
 */
export function wantsNativeRtsp(
  url: string,
  options: Pick<OpenSourceOptions, 'rtspClient' | 'rtspTransport'>,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (!/^rtsp:\/\//i.test(url) || (options.rtspTransport ?? 'tcp') !== 'tcp') return false;
  return (options.rtspClient ?? env.VIGIL_RTSP_CLIENT) !== 'ffmpeg';
}
