/**
 * Which video encoder a transcode uses: a hardware one when asked for, its
 * device is there and it accepts a test frame of the output's size; else the
 * plan's CPU encoder. Trying the encoder on one blank frame before the input
 * is touched means a refusal (no device, driver too old, size unsupported)
 * costs no input: a piped input cannot be read twice.
 *
 * NVENC and QSV take frames from system memory. VAAPI needs frames uploaded
 * to the device (hwupload) and is not tried yet.
 */
import '../../media/polyfills.js';
import { HardwareContext } from 'node-av/api';
import { AV_PIX_FMT_NV12, AV_PIX_FMT_YUV420P, AVERROR_EAGAIN } from 'node-av/constants';
import { Codec, CodecContext, Dictionary, Frame, Packet, Rational } from 'node-av/lib';
import type { CodecOptions, TranscodePlan, TranscodeStep } from './types.js';

export interface ChosenEncoder {
  encoder: string;
  options: CodecOptions;
  /** The video filter graph to feed it. */
  filter: string;
  hardware: boolean;
  /** `encoding_retry` when a hardware encoder was tried and refused. */
  step: TranscodeStep;
}

const DEVICES: Record<string, { deviceType: 'cuda' | 'qsv'; pixelFormat: number }> = {
  nvenc: { deviceType: 'cuda', pixelFormat: AV_PIX_FMT_YUV420P },
  qsv: { deviceType: 'qsv', pixelFormat: AV_PIX_FMT_NV12 },
};

/** The names the runner offers by default, for H.264 (H.265 uses hevc_*). */
export const DEFAULT_HARDWARE_ENCODERS = ['h264_nvenc', 'h264_qsv'];

export function pickVideoEncoder(
  plan: TranscodePlan,
  candidates: readonly string[],
  onRetry: (step: TranscodeStep) => void,
): ChosenEncoder {
  const cpu: ChosenEncoder = {
    encoder: plan.video.encoder,
    options: plan.video.options,
    filter: plan.videoFilter,
    hardware: false,
    step: 'encoding',
  };
  const family = plan.video.encoder === 'libx264' ? 'h264' : plan.video.encoder === 'libx265' ? 'hevc' : undefined;
  if (family === undefined || candidates.length === 0) return cpu;
  let tried = false;
  for (const name of candidates) {
    const [codecFamily, kind] = name.split('_');
    const device = kind === undefined ? undefined : DEVICES[kind];
    if (device === undefined || codecFamily !== family) continue;
    if (!deviceExists(device.deviceType)) continue;
    // Presets and x26x parameters mean nothing to these encoders: keep the rate and GOP.
    const options: CodecOptions = {};
    for (const key of ['b', 'g'] as const) {
      const value = plan.video.options[key];
      if (value !== undefined) options[key] = value;
    }
    tried = true;
    if (acceptsTestFrame(name, options, plan, device.pixelFormat)) {
      const filter = device.pixelFormat === AV_PIX_FMT_NV12 ? `${plan.videoFilter},format=nv12` : plan.videoFilter;
      return { encoder: name, options, filter, hardware: true, step: 'encoding' };
    }
  }
  if (!tried) return cpu;
  onRetry('encoding_retry');
  return { ...cpu, step: 'encoding_retry' };
}

function deviceExists(deviceType: 'cuda' | 'qsv'): boolean {
  try {
    const hw = HardwareContext.create(deviceType as Parameters<typeof HardwareContext.create>[0]);
    hw?.dispose();
    return hw !== null;
  } catch {
    return false;
  }
}

function acceptsTestFrame(name: string, options: CodecOptions, plan: TranscodePlan, pixelFormat: number): boolean {
  const codec = Codec.findEncoderByName(name as Parameters<typeof Codec.findEncoderByName>[0]);
  if (codec === null) return false;
  const ctx = new CodecContext();
  const frame = new Frame();
  const packet = new Packet();
  const dictionary = Dictionary.fromObject(options);
  try {
    ctx.allocContext3(codec);
    ctx.width = plan.video.width;
    ctx.height = plan.video.height;
    ctx.pixelFormat = pixelFormat as CodecContext['pixelFormat'];
    const fps = Math.max(1, Math.round(plan.video.fps));
    ctx.timeBase = new Rational(1, fps);
    ctx.framerate = new Rational(fps, 1);
    if (ctx.open2Sync(codec, dictionary) < 0) return false;
    frame.alloc();
    frame.width = plan.video.width;
    frame.height = plan.video.height;
    frame.format = pixelFormat as Frame['format'];
    if (frame.getBuffer() < 0) return false;
    frame.pts = 0n;
    if (ctx.sendFrameSync(frame) < 0 || ctx.sendFrameSync(null) < 0) return false;
    packet.alloc();
    const ret = ctx.receivePacketSync(packet);
    return ret >= 0 || ret === AVERROR_EAGAIN;
  } catch {
    return false;
  } finally {
    dictionary.free();
    packet.free();
    frame.free();
    ctx.freeContext();
  }
}
