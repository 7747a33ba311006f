/**
 * Vigil's own RTSP source (TCP interleaved): a MediaSource whose packets come
 * from the RTP depacketizers in JavaScript, with no libavformat on the packet
 * path. Video payloads are 4-byte length-prefixed NAL units and the track's
 * extradata is the avcC/hvcC record, so the fMP4 writer takes them as they
 * are. Timestamps are in each track's RTP clock (time base 1/clock rate),
 * zeroed at PLAY's RTP-Info so that tracks line up; video dts are derived
 * from the reorder depth (timing.ts). Video before the first keyframe is
 * dropped (it could not be decoded).
 *
 * Nothing hangs: opening is bounded by `openTimeoutMs` (TIMEOUT), a socket
 * that brings nothing for `readTimeoutMs` fails with TIMEOUT, a server that
 * closes fails with SOURCE_FAILED, an abort with CANCELED.
 */
import { performance } from 'node:perf_hooks';
import { VigilError } from '../../errors.js';
import type { MediaSource, OpenSourceOptions, SourcePacket, SourceTrack } from '../types.js';
import { canceledError, withTimeout } from '../wait.js';
import { AacDepacketizer } from './aac.js';
import type { AudioDepacketizer } from './audio-depacketizer.js';
import { G711Depacketizer } from './g711.js';
import { recordingReadBatcher } from './read-batcher.js';
import { newRtpHeader, readRtpHeader } from './rtp.js';
import { RtspConnection } from './rtsp-connection.js';
import { RtspSession, rtspTarget, type RtspTarget, type SetUpTrack } from './rtsp-session.js';
import { pictureSize, sourceTrackOf } from './rtsp-tracks.js';
import { avcReorderInfo, hevcReorderDepth } from './sps-reorder.js';
import { DtsDeriver, RtpClock } from './timing.js';
import { VideoDepacketizer } from './video-depacketizer.js';

/** Packets waiting for a reader before the socket is paused (TCP then holds the server back). */
const QUEUE_HIGH = 2_000;
const QUEUE_LOW = 200;
/** 25 fps in 90 kHz ticks: the step for the first dts when the SPS gives no frame rate. */
const DEFAULT_FRAME_TICKS = 3_600;
/** When the SPS does not give the reorder depth: x264's B-pyramid depth, learned further if the stream shows more. */
const GUESSED_REORDER_DEPTH = 2;

interface TrackRuntime {
  track: SourceTrack;
  clock: RtpClock;
  nextSequence: number | undefined;
  payloadType: number;
  video: VideoDepacketizer | undefined;
  audio: AudioDepacketizer | undefined;
  dts: DtsDeriver | undefined;
}

export async function openNativeRtspSource(url: string, options: OpenSourceOptions): Promise<MediaSource> {
  if (options.signal?.aborted === true) throw canceledError();
  const target = rtspTarget(url);
  let source: NativeRtspSource | undefined;
  let connection: RtspConnection | undefined;
  const opening = (async () => {
    connection = await RtspConnection.open(target.host, target.port, target.credentials, `source ${target.url}`);
    const session = new RtspSession(connection, target);
    const plans = await session.describe();
    const tracks = await session.setup(plans);
    source = new NativeRtspSource(target, session, tracks, options);
    await session.play((rtpTimes) => source?.start(rtpTimes));
    connection.batchReads(recordingReadBatcher);
    await source.ready;
    return source;
  })();
  try {
    return await withTimeout(opening, options.openTimeoutMs, options.signal, () => {
      return new VigilError('TIMEOUT', `source ${target.url}: not playing after ${options.openTimeoutMs} ms`);
    });
  } catch (err) {
    opening.catch(() => undefined);
    if (source !== undefined) await source.close();
    else connection?.close();
    // A connection still being made when the timer fired closes once it is.
    void opening.then((s) => s.close()).catch(() => undefined);
    throw err;
  }
}

class NativeRtspSource implements MediaSource {
  readonly tracks: SourceTrack[];
  readonly url: string;
  /** Resolves once every video track knows its parameter sets (from the SDP or in-band). */
  readonly ready: Promise<void>;
  private readonly runtimes: TrackRuntime[];
  private readonly byChannel: (TrackRuntime | undefined)[] = [];
  private readonly header = newRtpHeader();
  private queue: (SourcePacket | undefined)[] = [];
  private head = 0;
  private paused = false;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private closed = false;
  private lastDataMs = performance.now();
  private stallTimer: NodeJS.Timeout | undefined;
  private markReady: () => void = () => undefined;
  private failReady: (err: Error) => void = () => undefined;
  private readonly onAbort = (): void => this.fail(canceledError());

  constructor(
    target: RtspTarget,
    private readonly session: RtspSession,
    setUp: SetUpTrack[],
    private readonly options: OpenSourceOptions,
  ) {
    this.url = target.url;
    this.runtimes = setUp.map((s, index) => this.runtimeOf(s, index));
    this.tracks = this.runtimes.map((r) => r.track);
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    // A failure after open() returned has nobody waiting here; packets() reports it.
    this.ready.catch(() => undefined);
    this.checkReady();
    const connection = session.connection;
    connection.onFrame = this.onFrame;
    connection.onData = () => (this.lastDataMs = performance.now());
    connection.onClose = (err) => this.fail(err);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.stallTimer = setTimeout(this.checkStall, options.readTimeoutMs);
  }

  /** PLAY answered: zero each track's clock at its RTP-Info time. */
  start(rtpTimes: (number | undefined)[]): void {
    for (const [i, r] of this.runtimes.entries()) r.clock = new RtpClock(rtpTimes[i]);
  }

  async *packets(): AsyncIterable<SourcePacket> {
    for (;;) {
      while (this.head < this.queue.length) {
        const packet = this.queue[this.head]!;
        this.queue[this.head++] = undefined;
        if (this.paused && this.queue.length - this.head < QUEUE_LOW) this.resume();
        yield packet;
      }
      this.queue.length = 0;
      this.head = 0;
      if (this.failure !== undefined) throw this.failure;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.stop();
    this.session.close();
    this.wake?.();
    return Promise.resolve();
  }

  private runtimeOf(s: SetUpTrack, index: number): TrackRuntime {
    const plan = s.plan;
    const runtime: TrackRuntime = {
      track: sourceTrackOf(plan, index, undefined, undefined),
      clock: new RtpClock(),
      nextSequence: undefined,
      payloadType: plan.media.payloadType,
      video: undefined,
      audio: undefined,
      dts: undefined,
    };
    this.byChannel[s.rtpChannel] = runtime;
    if (plan.kind === 'video') {
      const video = new VideoDepacketizer(plan.format, plan.spropSets, (pts, data, isKeyframe, newRecord, release) =>
        this.onAccessUnit(runtime, pts, data, isKeyframe, newRecord, release),
      );
      runtime.video = video;
      runtime.track = sourceTrackOf(plan, index, video.record, video.parameterSet('sps'));
    } else {
      const sink = (pts: number, data: Uint8Array, duration: number): void =>
        this.push({ trackIndex: index, pts, dts: pts, duration, isKeyframe: true, data });
      runtime.audio =
        plan.codec === 'aac' ? new AacDepacketizer(plan.aac, sink) : new G711Depacketizer(plan.media.channels, sink);
    }
    return runtime;
  }

  private readonly onFrame = (channel: number, data: Buffer, offset: number, length: number): void => {
    const runtime = this.byChannel[channel];
    // Odd channels are RTCP: sender reports are not needed while RTP-Info aligns the tracks.
    if (runtime === undefined) return;
    const h = this.header;
    if (!readRtpHeader(data, offset, length, h) || h.payloadType !== runtime.payloadType) return;
    const lost = runtime.nextSequence !== undefined && h.sequence !== runtime.nextSequence;
    runtime.nextSequence = (h.sequence + 1) & 0xffff;
    const ticks = runtime.clock.ticks(h.timestamp);
    if (runtime.video !== undefined) {
      runtime.video.push(data, h.payloadOffset, h.payloadLength, ticks, h.marker, lost);
    } else {
      runtime.audio?.push(data, h.payloadOffset, h.payloadLength, ticks, h.marker, lost);
    }
  };

  private onAccessUnit(
    runtime: TrackRuntime,
    pts: number,
    data: Buffer,
    isKeyframe: boolean,
    newRecord: Uint8Array | undefined,
    release: () => void,
  ): void {
    const video = runtime.video!;
    if (runtime.track.extradata === undefined && video.record !== undefined) {
      // Parameter sets only in-band: the track learns them before open() returns.
      runtime.track.extradata = video.record;
      const size = pictureSize(runtime.track.codec === 'h264' ? 'h264' : 'hevc', video.parameterSet('sps'));
      if (size !== undefined) Object.assign(runtime.track, size);
      this.checkReady();
    }
    if (runtime.dts === undefined) {
      if (!isKeyframe || runtime.track.extradata === undefined) {
        release();
        return;
      }
      runtime.dts = this.dtsDeriverFor(runtime);
    }
    const packet: SourcePacket = {
      trackIndex: runtime.track.index,
      pts,
      dts: runtime.dts.dts(pts),
      duration: 0,
      isKeyframe,
      data,
      release,
    };
    if (newRecord !== undefined) packet.newExtradata = newRecord;
    this.push(packet);
  }

  private planOf(runtime: TrackRuntime): SetUpTrack['plan'] {
    return this.session.tracks[runtime.track.index]!.plan;
  }

  private dtsDeriverFor(runtime: TrackRuntime): DtsDeriver {
    const sps = runtime.video?.parameterSet('sps');
    const plan = this.planOf(runtime);
    const info =
      sps === undefined
        ? { reorderDepth: undefined, frameTicks: undefined }
        : runtime.track.codec === 'h264'
          ? avcReorderInfo(sps)
          : { reorderDepth: hevcReorderDepth(sps), frameTicks: undefined };
    const sdpFrameTicks =
      plan.media.frameRate === undefined ? undefined : Math.round(plan.media.clockRate / plan.media.frameRate);
    const frameTicks = info.frameTicks ?? sdpFrameTicks ?? DEFAULT_FRAME_TICKS;
    if (info.reorderDepth !== undefined) return new DtsDeriver(info.reorderDepth, frameTicks);
    return new DtsDeriver(GUESSED_REORDER_DEPTH, frameTicks, true);
  }

  private checkReady(): void {
    if (this.runtimes.every((r) => r.video === undefined || r.track.extradata !== undefined)) this.markReady();
  }

  private push(packet: SourcePacket): void {
    this.queue.push(packet);
    if (!this.paused && this.queue.length - this.head > QUEUE_HIGH) {
      this.paused = true;
      this.session.connection.pause();
    }
    this.wake?.();
  }

  private resume(): void {
    this.paused = false;
    this.lastDataMs = performance.now();
    this.session.connection.resume();
  }

  private readonly checkStall = (): void => {
    this.stallTimer = undefined;
    if (this.closed || this.failure !== undefined) return;
    const { readTimeoutMs } = this.options;
    const idleMs = this.paused ? 0 : performance.now() - this.lastDataMs;
    if (idleMs >= readTimeoutMs) {
      this.fail(new VigilError('TIMEOUT', `source ${this.url}: no data for ${readTimeoutMs} ms`));
      return;
    }
    this.stallTimer = setTimeout(this.checkStall, readTimeoutMs - idleMs);
  };

  private fail(err: Error): void {
    if (this.failure !== undefined || this.closed) return;
    this.failure = err;
    this.failReady(err);
    this.stop();
    this.session.close();
    this.wake?.();
  }

  private stop(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }
}
