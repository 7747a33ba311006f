/**
 * The transcode itself, inside the child: demux → decode → filter → encode →
 * mux with node-av, as one loop over the input's packets.
 *
 * The loop calls node-av's synchronous methods: this process does nothing
 * else, and each async call would cost a thread-pool round trip per packet
 * and frame. It yields to the event loop every PROGRESS_EVERY_MS so progress
 * messages go out.
 */
import '../../media/polyfills.js';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Decoder, Demuxer, Encoder, FilterAPI, Muxer } from 'node-av/api';
import { AV_LOG_ERROR, AV_NOPTS_VALUE } from 'node-av/constants';
import { Codec, Frame, Log, Packet, type Stream } from 'node-av/lib';
import { VigilError } from '../../errors.js';
import { writeChapters } from './chapters-writer.js';
import type { ChildMessage, ChildStart } from './child-protocol.js';
import { checkCustomEncoderOptions } from './encoder-option-check.js';
import { pickVideoEncoder, type ChosenEncoder } from './hardware-encoder.js';
import { buildTranscodePlan, VIDEO_COPY } from './transcode-plan.js';
import type { TranscodeInputInfo, TranscodePlan } from './types.js';

const PROGRESS_EVERY_MS = 250;
/** Packets read ahead to measure the keyframe interval of a timelapse's input. */
const MAX_LOOKAHEAD_PACKETS = 1_000;

type Report = (message: ChildMessage & { type: 'progress' }) => void;

interface StreamChain {
  decoder: Decoder;
  filter: FilterAPI;
  encoder: Encoder;
  outIndex: number;
}

/** A stream whose packets go to the muxer as they are. */
interface CopiedStream {
  copyIndex: number;
}

export async function runChildTranscode(
  start: ChildStart,
  report: Report,
): Promise<{ videoEncoder: string; outputDurationS: number }> {
  // FFmpeg's info chatter (x264 stats) would only fill the runner's stderr buffer.
  Log.setLevel(AV_LOG_ERROR);
  // stdin carries fragmented MP4 by contract; naming the format also stops node-av reading `pipe:0` as a file name.
  const demuxer =
    start.input.path === undefined
      ? await Demuxer.open('pipe:0', { format: 'mp4' })
      : await Demuxer.open(start.input.path);
  try {
    const video = demuxer.video();
    if (video === undefined) throw new VigilError('MEDIA_INVALID', 'transcode: the input has no video track');
    const audio = demuxer.audio();
    const packets = demuxer.packetsSync();
    const lookahead = start.options.timelapse !== undefined ? readAhead(packets, video.index) : [];
    const info = inputInfo(demuxer, video, audio, start.input.durationS, lookahead);
    const plan = buildTranscodePlan(start.options, info);
    const copy = plan.video.encoder === VIDEO_COPY;
    // Custom arguments are written for the CPU encoder's options (crf, preset): no hardware with them.
    const hardware = start.options.hardware === true && (start.options.customArgs?.length ?? 0) === 0 && !copy;
    const chosen = pickVideoEncoder(plan, hardware ? start.hardwareEncoders : [], (step) =>
      report({ type: 'progress', step, doneS: 0, totalS: plan.outputDurationS }),
    );
    if (!copy) {
      checkCustomEncoderOptions(
        start.options.customArgs,
        { encoder: chosen.encoder, shape: { ...plan.video, options: chosen.options } },
        plan.audio?.kind === 'encode' ? plan.audio.encoder : undefined,
      );
    }
    const muxer = await Muxer.open(start.outputPath, { format: plan.muxer.format, options: plan.muxer.options });
    try {
      const videoChain = copy ? copyVideo(video, plan, muxer) : await openVideoChain(video, plan, chosen, muxer);
      const audioChain = audio === undefined ? undefined : await openAudioChain(audio, plan, muxer);
      const progress = new ProgressClock(plan, chosen.step, report);
      const route = (packet: Packet): void => {
        if (packet.streamIndex === video.index) {
          if ('copyIndex' in videoChain) {
            progress.packetOut(packet, video);
            muxer.writePacketSync(packet, videoChain.copyIndex);
            return;
          }
          // As `-skip_frame nokey` does, but without even handing the packets over.
          if (plan.keyframesOnly && !packet.isKeyframe) return;
          decodeInto(videoChain, packet, muxer, progress);
        } else if (audio !== undefined && packet.streamIndex === audio.index) {
          if (audioChain !== undefined && 'copyIndex' in audioChain)
            muxer.writePacketSync(packet, audioChain.copyIndex);
          else if (audioChain !== undefined) decodeInto(audioChain, packet, muxer, undefined);
        }
      };
      try {
        for (const packet of lookahead) {
          route(packet);
          packet.free();
        }
        for (const packet of packets) {
          if (packet === null) break;
          try {
            route(packet);
          } finally {
            packet.free();
          }
          if (progress.due()) await yieldToEventLoop();
        }
        if (!('copyIndex' in videoChain)) decodeInto(videoChain, null, muxer, progress);
        if (audioChain !== undefined && !('copyIndex' in audioChain)) decodeInto(audioChain, null, muxer, undefined);
      } catch (err) {
        if (chosen.hardware) Object.assign(err as object, { hardwareFailed: true });
        throw err;
      }
      await muxer.close();
      await writeChapters(start.outputPath, plan);
      progress.finish();
      return { videoEncoder: chosen.encoder, outputDurationS: progress.doneS };
    } finally {
      await muxer.close().catch(() => undefined);
    }
  } finally {
    await demuxer.close().catch(() => undefined);
  }
}

/** Reads packets up to the video's second keyframe (the input's GOP), to be replayed before the rest. */
function readAhead(packets: Generator<Packet | null>, videoIndex: number): Packet[] {
  const kept: Packet[] = [];
  let keyframes = 0;
  // next(), not for…of: leaving a for…of would close the generator, and the rest of the input with it.
  while (kept.length < MAX_LOOKAHEAD_PACKETS) {
    const { value: packet, done } = packets.next();
    if (done === true || packet === null) break;
    kept.push(packet);
    if (packet.streamIndex === videoIndex && packet.isKeyframe && ++keyframes === 2) break;
  }
  return kept;
}

function inputInfo(
  demuxer: Demuxer,
  video: Stream,
  audio: Stream | undefined,
  durationS: number | undefined,
  lookahead: Packet[],
): TranscodeInputInfo {
  const rate = video.avgFrameRate.num > 0 ? video.avgFrameRate : video.rFrameRate;
  const fps = rate.num > 0 && rate.den > 0 ? rate.num / rate.den : 25;
  const videoPackets = lookahead.filter((p) => p.streamIndex === video.index);
  const secondKey = videoPackets.findIndex((p, i) => i > 0 && p.isKeyframe);
  const kbps = (bitRate: bigint): number | undefined => (bitRate > 0n ? Number(bitRate) / 1000 : undefined);
  const codec = Codec.findDecoder(video.codecpar.codecId)?.name ?? undefined;
  const info: TranscodeInputInfo = {
    ...(codec === undefined ? {} : { codec }),
    width: video.codecpar.width,
    height: video.codecpar.height,
    fps,
    hasAudio: audio !== undefined,
    durationS: durationS ?? Math.max(0, demuxer.duration),
  };
  if (videoPackets[0]?.isKeyframe === true && secondKey > 0) info.keyframeIntervalFrames = secondKey;
  const videoKbps = kbps(video.codecpar.bitRate);
  if (videoKbps !== undefined) info.videoBitrateKbps = videoKbps;
  const audioKbps = audio === undefined ? undefined : kbps(audio.codecpar.bitRate);
  if (audioKbps !== undefined) info.audioBitrateKbps = audioKbps;
  return info;
}

async function openVideoChain(
  video: Stream,
  plan: TranscodePlan,
  chosen: ChosenEncoder,
  muxer: Muxer,
): Promise<StreamChain> {
  const decoder = await Decoder.create(video, plan.keyframesOnly ? { options: { skip_frame: 'nokey' } } : {});
  const fps = video.avgFrameRate.num > 0 ? video.avgFrameRate : video.rFrameRate;
  const filter = FilterAPI.create(chosen.filter, fps.num > 0 ? { framerate: { num: fps.num, den: fps.den } } : {});
  const codecTag = plan.video.codecTag;
  const encoder = await Encoder.create(chosen.encoder as Parameters<typeof Encoder.create>[0], {
    decoder,
    filter,
    options: chosen.options,
    ...(codecTag === undefined ? {} : { configure: (ctx) => void (ctx.codecTag = codecTag) }),
  });
  return { decoder, filter, encoder, outIndex: muxer.addStream(encoder, { inputStream: video }) };
}

/** The video as recorded: the muxer rescales the timestamps to its time base and keeps them. */
function copyVideo(video: Stream, plan: TranscodePlan, muxer: Muxer): CopiedStream {
  return copyStream(video, plan, muxer, plan.video.codecTag);
}

/**
 * A stream copied as it is. Its MP4 FourCC (`avc1`, `mp4a`) comes along with
 * the codec parameters; Matroska refuses a header with one it does not know,
 * so outside MP4 the muxer picks its own, as the ffmpeg CLI does.
 */
function copyStream(stream: Stream, plan: TranscodePlan, muxer: Muxer, codecTag?: string): CopiedStream {
  const copyIndex = muxer.addStream(stream);
  const out = muxer.getStream(copyIndex);
  if (out !== undefined && codecTag !== undefined) out.codecpar.codecTag = codecTag;
  else if (out !== undefined && plan.muxer.format !== 'mp4') out.codecpar.codecTag = 0;
  return { copyIndex };
}

async function openAudioChain(
  audio: Stream,
  plan: TranscodePlan,
  muxer: Muxer,
): Promise<StreamChain | CopiedStream | undefined> {
  const spec = plan.audio;
  if (spec === undefined) return undefined;
  if (spec.kind === 'copy') return copyStream(audio, plan, muxer);
  const decoder = await Decoder.create(audio);
  const filter = FilterAPI.create(spec.filter);
  const encoder = await Encoder.create(spec.encoder as Parameters<typeof Encoder.create>[0], {
    decoder,
    filter,
    options: spec.options,
  });
  return { decoder, filter, encoder, outIndex: muxer.addStream(encoder, { inputStream: audio }) };
}

/** Pushes one packet (null: end of input) through decoder, filter and encoder into the muxer. */
function decodeInto(
  chain: StreamChain,
  packet: Packet | null,
  muxer: Muxer,
  progress: ProgressClock | undefined,
): void {
  const { decoder, filter, encoder, outIndex } = chain;
  const encodeFiltered = (): void => {
    for (let out = filter.receiveSync(); out instanceof Frame; out = filter.receiveSync()) {
      progress?.frameOut(out);
      encoder.encodeSync(out);
      out.free();
      writeEncoded(encoder, muxer, outIndex);
    }
  };
  if (packet === null) decoder.flushSync();
  else decoder.decodeSync(packet);
  for (let frame = decoder.receiveSync(); frame instanceof Frame; frame = decoder.receiveSync()) {
    filter.processSync(frame);
    frame.free();
    encodeFiltered();
  }
  if (packet !== null) return;
  filter.flushSync();
  encodeFiltered();
  encoder.flushSync();
  writeEncoded(encoder, muxer, outIndex);
}

function writeEncoded(encoder: Encoder, muxer: Muxer, outIndex: number): void {
  for (let packet = encoder.receiveSync(); packet instanceof Packet; packet = encoder.receiveSync()) {
    muxer.writePacketSync(packet, outIndex);
    packet.free();
  }
}

/** Output seconds done, from the filtered frames' timestamps; reported at most every PROGRESS_EVERY_MS. */
class ProgressClock {
  doneS = 0;
  private firstS: number | undefined;
  private lastSentMs = 0;

  constructor(
    private readonly plan: TranscodePlan,
    private readonly step: 'encoding' | 'encoding_retry',
    private readonly report: Report,
  ) {
    this.send();
  }

  frameOut(frame: Frame): void {
    const tb = frame.timeBase;
    if (tb.den === 0) return;
    const startS = (Number(frame.pts) * tb.num) / tb.den;
    const durationS = (Number(frame.duration) * tb.num) / tb.den;
    this.firstS ??= startS;
    const endS = startS - this.firstS + (durationS > 0 ? durationS : 1 / this.plan.video.fps);
    if (endS > this.doneS) this.doneS = endS;
  }

  /** A copied video packet: its end on the input timeline (a copy keeps the input's timing). */
  packetOut(packet: Packet, stream: Stream): void {
    const tb = stream.timeBase;
    if (tb.den === 0 || packet.pts === AV_NOPTS_VALUE) return;
    const startS = (Number(packet.pts) * tb.num) / tb.den;
    const durationS = (Number(packet.duration) * tb.num) / tb.den;
    this.firstS ??= startS;
    const endS = startS - this.firstS + (durationS > 0 ? durationS : 1 / this.plan.video.fps);
    if (endS > this.doneS) this.doneS = endS;
  }

  due(): boolean {
    if (performance.now() - this.lastSentMs < PROGRESS_EVERY_MS) return false;
    this.send();
    return true;
  }

  finish(): void {
    this.send();
  }

  private send(): void {
    this.lastSentMs = performance.now();
    const totalS = this.plan.outputDurationS;
    this.report({ type: 'progress', step: this.step, doneS: Math.min(this.doneS, totalS || this.doneS), totalS });
  }
}
