/**
 * What a publisher can copy from an existing file or stream: picture size,
 * frame rate and bit rate of its first video track, read with node-av.
 */
import '../media/polyfills.js';
import { Demuxer } from 'node-av/api';
import { VigilError } from '../errors.js';
import type { SourceDescription } from './parameters.js';

/** FFmpeg's network timeouts are in µs. */
const NETWORK_TIMEOUT_US = String(10_000_000);

export async function probeSource(url: string): Promise<SourceDescription> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const path = scheme === 'file' ? decodeURIComponent(url.slice('file://'.length)) : url;
  const options: Record<string, string> =
    scheme === undefined || scheme === 'file'
      ? {}
      : scheme.startsWith('rtsp')
        ? { rtsp_transport: 'tcp', timeout: NETWORK_TIMEOUT_US }
        : { rw_timeout: NETWORK_TIMEOUT_US };
  let demuxer: Demuxer;
  try {
    demuxer = await Demuxer.open(path, { options });
  } catch (err) {
    throw new VigilError(
      'SOURCE_FAILED',
      `source: cannot open ${url}: ${err instanceof Error ? err.message : String(err)}`,
      {
        field: 'source',
        cause: err,
      },
    );
  }
  try {
    const video = demuxer.video();
    if (video === undefined)
      throw new VigilError('MEDIA_INVALID', `source: ${url} has no video track`, { field: 'source' });
    const out: SourceDescription = {};
    const { width, height } = video.codecpar;
    if (width > 0 && height > 0) Object.assign(out, { width, height });
    const rate = video.avgFrameRate.num > 0 && video.avgFrameRate.den > 0 ? video.avgFrameRate : video.rFrameRate;
    if (rate.num > 0 && rate.den > 0) out.frameRate = [rate.num, rate.den];
    const kbps = video.codecpar.bitRate > 0n ? Number(video.codecpar.bitRate) / 1000 : demuxer.bitRate;
    if (kbps > 0) out.bitRate = Math.round(kbps);
    return out;
  } finally {
    await demuxer.close().catch(() => undefined);
  }
}
