/**
 * The reference export module's option rules, one function per option. Each
 * returns the normalized value and throws `invalidArgument` naming the wire
 * field, what was given and what is allowed.
 */
import { invalidArgument } from '../../errors.js';
import type { AudioSpec, VideoCodec, WatermarkAlign } from './types.js';
import { foldName, optionalNumber, optionalString, show } from './values.js';

export const VIDEO_CODECS: readonly VideoCodec[] = ['h264', 'h265', 'mpeg4', 'wmv'];

/** Any other string, the empty one included, means stream copy (the reference's rule). */
export function parseVideoCodec(value: unknown): VideoCodec | null {
  const text = optionalString(value, 'options.video_codec');
  if (text === undefined) return null;
  const folded = foldName(text);
  return VIDEO_CODECS.find((c) => c === folded) ?? null;
}

export const SUPPORTED_VIDEO_BITRATES_KBPS = [
  200, 400, 600, 800, 1000, 2000, 2500, 3000, 5000, 7500, 10000, 16000,
] as const;

/** The highest supported value not above the one asked; 200 below that (negatives included). */
export function snapVideoBitrate(value: unknown): number | undefined {
  const kbps = optionalNumber(value, 'options.video_bitrate', 'kbit/s as a number (e.g. 2000)');
  if (kbps === undefined) return undefined;
  let snapped: number = SUPPORTED_VIDEO_BITRATES_KBPS[0];
  for (const supported of SUPPORTED_VIDEO_BITRATES_KBPS) if (supported <= kbps) snapped = supported;
  return snapped;
}

export const SUPPORTED_RESOLUTIONS = [
  '2560x1920',
  '2048x1536',
  '1920x1080',
  '1600x1200',
  '1280x1024',
  '1280x960',
  '1280x720',
  '1024x768',
  '800x600',
  '720x576',
  '704x576',
  '640x480',
  '352x288',
  '320x240',
  '176x144',
] as const;

/**
 * The reference module lists `1280x1960` where every other entry is a common
 * 4:3 or 16:9 size and 1280x960 is missing: a typo. Clients written against
 * it send the typo, so it is accepted and means 1280x960.
 */
const RESOLUTION_ALIASES: Record<string, string> = { '1280x1960': '1280x960' };

/** Empty or absent: the source's size. */
export function parseResolution(value: unknown): { width: number; height: number } | undefined {
  const text = optionalString(value, 'options.video_resolution');
  if (text === undefined || text.trim() === '') return undefined;
  const folded = foldName(text);
  const size = RESOLUTION_ALIASES[folded] ?? folded;
  if (!(SUPPORTED_RESOLUTIONS as readonly string[]).includes(size)) {
    throw invalidArgument(
      'options.video_resolution',
      `expected one of ${SUPPORTED_RESOLUTIONS.join(', ')} or empty for the source's size, got ${show(value)}`,
    );
  }
  const [width, height] = size.split('x').map(Number) as [number, number];
  return { width, height };
}

const AUDIO_CODECS: Record<string, AudioSpec['mode']> = { 'no audio': 'drop', pcm: 'pcm', wma: 'wma', aac: 'aac' };

/**
 * `no audio` drops the audio; pcm, wma and aac convert it; anything else
 * copies it. The bitrate (> 96 → 128, else 64) applies only to a converting
 * codec with a bitrate: PCM's follows from its sample rate.
 */
export function parseAudio(codec: unknown, bitrate: unknown): AudioSpec {
  const text = optionalString(codec, 'options.audio_codec');
  const mode = text === undefined ? 'copy' : (AUDIO_CODECS[foldName(text)] ?? 'copy');
  const kbps = optionalNumber(bitrate, 'options.audio_bitrate', 'kbit/s as a number (64 or 128)');
  if (kbps === undefined || (mode !== 'wma' && mode !== 'aac')) return { mode };
  return { mode, bitrateKbps: kbps > 96 ? 128 : 64 };
}

/** 0 and 1 both mean top-left in the reference; 1 is kept so a consumer has one value per corner. */
export function parseWatermarkAlign(value: unknown): WatermarkAlign {
  const allowed = '0 or 1 (top left), 2 (top right), 3 (bottom left) or 4 (bottom right)';
  const align = optionalNumber(value, 'options.watermark_align', allowed);
  if (align === undefined) return 1;
  if (!Number.isInteger(align) || align < 0 || align > 4) {
    throw invalidArgument('options.watermark_align', `expected ${allowed}, got ${show(value)}`);
  }
  return align === 0 ? 1 : (align as WatermarkAlign);
}

/** Past an hour of recording per output second, a timelapse shows almost nothing but keyframe noise. */
export const MAX_TIMELAPSE_FACTOR = 3600;

/** A speed factor from 1 to MAX_TIMELAPSE_FACTOR; 1 (real speed) means no timelapse. */
export function parseTimelapse(value: unknown): number | undefined {
  const allowed = `a speed factor from 1 to ${MAX_TIMELAPSE_FACTOR} (e.g. 25, 60, 600)`;
  const factor = optionalNumber(value, 'options.timelapse', allowed);
  if (factor === undefined) return undefined;
  if (factor < 1 || factor > MAX_TIMELAPSE_FACTOR) {
    throw invalidArgument('options.timelapse', `expected ${allowed}, got ${show(value)}`);
  }
  return factor === 1 ? undefined : factor;
}
