/**
 * The engine's word on custom encoder options, before any input is read: each
 * one is set on a scratch codec context of the chosen encoder, so a name the
 * encoder does not have (`-crff`) or a value it cannot parse (`-preset warp`)
 * fails at once, naming the argument, instead of being dropped silently by
 * avcodec_open2 or failing mid-file.
 */
import '../../media/polyfills.js';
import { AV_PIX_FMT_YUV420P } from 'node-av/constants';
import { Codec, CodecContext, FFmpegError, Rational } from 'node-av/lib';
import { invalidArgument } from '../../errors.js';
import { applyCustomArgs, CUSTOM_ARGS_FIELD } from './custom-encoder-args.js';
import type { CodecOptions, EncoderArg } from './types.js';

/** The picture the video encoder will be opened for: opening it with the options is the only full check. */
export interface VideoShape {
  width: number;
  height: number;
  fps: number;
  /** The plan's options, under the custom ones. */
  options: CodecOptions;
}

/** Checks the custom arguments' options against the video and (when encoded) audio encoders. */
export function checkCustomEncoderOptions(
  args: readonly EncoderArg[] | undefined,
  video: { encoder: string; shape: VideoShape },
  audioEncoder: string | undefined,
): void {
  if (args === undefined || args.length === 0) return;
  const applied = applyCustomArgs(args);
  // Only a yuv420p picture can be opened here without knowing the user's pixel format.
  const shape = applied.pixelFormat === undefined ? video.shape : undefined;
  checkOn(video.encoder, applied.video, (name) => applied.sources.get(name) ?? `-${name}`, shape);
  if (audioEncoder !== undefined) {
    checkOn(audioEncoder, applied.audio, (name) => applied.sources.get(`a:${name}`) ?? `-${name}:a`, undefined);
  }
}

function checkOn(
  encoder: string,
  options: CodecOptions,
  argOf: (name: string) => string,
  shape: VideoShape | undefined,
): void {
  const entries = Object.entries(options);
  if (entries.length === 0) return;
  const codec = Codec.findEncoderByName(encoder as Parameters<typeof Codec.findEncoderByName>[0]);
  if (codec === null) return;
  const refuse = (what: string, ret: number): never => {
    throw invalidArgument(
      CUSTOM_ARGS_FIELD,
      `${what}: the ${encoder} encoder refuses ${entries.length > 1 ? 'them' : 'it'} (${FFmpegError.strerror(ret)})`,
    );
  };
  const ctx = new CodecContext();
  try {
    ctx.allocContext3(codec);
    for (const [name, value] of entries) {
      const ret = ctx.setOption(name, value);
      if (ret < 0) refuse(JSON.stringify(`${argOf(name)} ${value}`), ret);
    }
    if (shape === undefined) return;
    // A value the encoder only reads when it opens (`-preset warp`) fails there, and only there.
    for (const [name, value] of Object.entries(shape.options)) {
      if (!(name in options)) ctx.setOption(name, value);
    }
    ctx.width = shape.width;
    ctx.height = shape.height;
    ctx.pixelFormat = AV_PIX_FMT_YUV420P;
    const fps = Math.max(1, Math.round(shape.fps));
    ctx.timeBase = new Rational(1, fps);
    ctx.framerate = new Rational(fps, 1);
    const ret = ctx.open2Sync(codec, null);
    if (ret < 0) refuse(entries.map(([name, value]) => JSON.stringify(`${argOf(name)} ${value}`)).join(', '), ret);
  } finally {
    ctx.freeContext();
  }
}
