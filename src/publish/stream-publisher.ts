/**
 * `StreamPublisher`: frames produced by code → an encoded stream on a server
 * (RTMP, RTSP), a live HLS playlist, or a file. Configure with
 * `setParameter`, then `open`, push frames with `serveFrameBlock` (paced at
 * real time) or `serveFrame` (the caller paces itself with `waitRef`), and
 * `close`.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { VigilError, invalidArgument } from '../errors.js';
import type { FrameOutput } from './ffmpeg-output.js';
import { frameSizeProblem } from './frame-layout.js';
import { FramePacer, ptsAheadFor, type Clock } from './frame-pacer.js';
import {
  CHANGEABLE_WHILE_OPEN,
  PARAMETER_NAMES,
  READ_ONLY_PARAMETERS,
  checkCombination,
  completeConfig,
  resolveValues,
  sanitizeSource,
  unknownParameter,
  validateParameters,
  type PublisherConfig,
  type PublisherParameterValues,
  type PublisherParameters,
  type SourceDescription,
} from './parameters.js';

export type PublisherState = 'closed' | 'opening' | 'open' | 'failed' | 'closing';

export interface StreamPublisherEvents {
  /** The output failed (server gone, disk full) or a frame was refused; `lastError` holds it too. */
  error: [VigilError];
}

export interface StreamPublisherOptions {
  /** Monotonic milliseconds; performance.now by default (tests inject their own). */
  now?: Clock;
  /** Opens the output; the FFmpeg one by default. */
  openOutput?: (config: PublisherConfig, onFailure: (err: VigilError) => void) => Promise<FrameOutput>;
}

export interface PublisherCounters {
  pushed: number;
  played: number;
  dropped: number;
  bytes: number;
}

const VALUE_NAMES: ReadonlySet<string> = new Set([...PARAMETER_NAMES, ...READ_ONLY_PARAMETERS]);

export class StreamPublisher extends EventEmitter<StreamPublisherEvents> {
  /** The latest error: a refused frame or a failed output. */
  lastError: VigilError | undefined;
  private explicit: PublisherParameters = {};
  private source: SourceDescription = {};
  private stateNow: PublisherState = 'closed';
  private output: FrameOutput | undefined;
  private config: PublisherConfig | undefined;
  private pacer: FramePacer | undefined;
  private refused = 0;
  private lost = 0;
  private lastBytes = 0;
  private readonly now: Clock;
  private readonly openOutput: NonNullable<StreamPublisherOptions['openOutput']>;

  constructor(options: StreamPublisherOptions = {}) {
    super();
    this.now = options.now ?? (() => performance.now());
    this.openOutput =
      options.openOutput ??
      (async (config, onFailure) => (await import('./ffmpeg-output.js')).openFfmpegOutput(config, onFailure));
  }

  get state(): PublisherState {
    return this.stateNow;
  }

  /**
   * Sets parameters (see PublisherParameters); a wrong one throws a VigilError
   * naming it and nothing changes. `source` copies size, frame rate and bit
   * rate from a probed file or URL (then the call returns a promise) or from a
   * description; explicit parameters win over it.
   */
  setParameter(params: PublisherParameters & { source: string }): Promise<void>;
  setParameter(params: PublisherParameters & { source?: SourceDescription }): void;
  setParameter(params: PublisherParameters & { source?: string | SourceDescription }): void | Promise<void> {
    if (typeof params !== 'object' || params === null) {
      throw invalidArgument('parameters', 'expected an object such as { width: 1280, height: 720 }');
    }
    const checked = validateParameters(params);
    const changed = Object.keys(checked);
    const { source } = params;
    this.refuseWhileOpen(checked, source !== undefined);
    if (typeof source === 'string') {
      return import('./source-probe.js')
        .then(({ probeSource }) => probeSource(source))
        .then((found) => {
          this.refuseWhileOpen(checked, true);
          this.apply(checked, sanitizeSource(found), changed);
        });
    }
    if (source !== undefined && (typeof source !== 'object' || source === null)) {
      throw invalidArgument('source', 'expected a file path or URL to probe, or { width, height, frameRate, bitRate }');
    }
    this.apply(checked, source === undefined ? undefined : sanitizeSource(source), changed);
  }

  /** Every parameter's value now (with the read-only formatName, waitRef, ptsAhead), or one of them. */
  getParameter(): PublisherParameterValues;
  getParameter<K extends keyof PublisherParameterValues>(name: K): PublisherParameterValues[K];
  getParameter(name?: string): unknown {
    if (name !== undefined && !VALUE_NAMES.has(name)) throw unknownParameter(name);
    const values = this.values();
    return name === undefined ? values : values[name as keyof PublisherParameterValues];
  }

  /**
   * Opens the output and the encoder: `address` (kept as the default for the
   * next open) or the configured one. An open output is closed first.
   */
  async open(address?: string): Promise<void> {
    await this.close();
    if (address !== undefined) this.setParameter({ address });
    const values = resolveValues(this.explicit, this.source);
    checkCombination(values, []);
    const config = completeConfig(values);
    this.stateNow = 'opening';
    try {
      this.output = await this.openOutput(config, (err) => this.onOutputFailure(err));
    } catch (err) {
      this.stateNow = 'closed';
      if (err instanceof VigilError) this.lastError = err;
      throw err;
    }
    this.config = config;
    this.pacer = new FramePacer(config.frameRate, this.now);
    this.refused = 0;
    this.lost = 0;
    this.lastBytes = 0;
    this.lastError = undefined;
    this.stateNow = 'open';
  }

  /**
   * Pushes one frame without waiting for playback: resolves true once it is
   * copied and queued for the encoder, false when it is refused (wrong size,
   * not open, the output failed; see `lastError`). Pace with `waitRef`.
   */
  serveFrame(frame: Uint8Array): Promise<boolean> {
    const output = this.output;
    const config = this.config;
    const pacer = this.pacer;
    if (this.stateNow !== 'open' || output === undefined || config === undefined || pacer === undefined) {
      const why = this.stateNow === 'failed' ? (this.lastError?.message ?? 'the output failed') : 'not open';
      return Promise.resolve(this.refuse(new VigilError('CONFLICT', `publisher: ${why}; call open() first`)));
    }
    if (!(frame instanceof Uint8Array)) {
      return Promise.resolve(this.refuse(invalidArgument('frame', 'expected a Uint8Array or Buffer of pixels')));
    }
    const problem = frameSizeProblem(config.pixelFormat, config.widthSrc, config.heightSrc, frame.byteLength);
    if (problem !== undefined) {
      return Promise.resolve(this.refuse(new VigilError('INVALID_ARGUMENT', problem, { field: 'frame' })));
    }
    const index = pacer.pushed;
    pacer.onPushed();
    // submit copies the pixels before it returns: the caller may reuse its buffer at once.
    return output.submit(frame, index).then(
      () => true,
      () => false,
    );
  }

  /**
   * Pushes one frame, first waiting while the frames pushed are more than
   * `frameAhead` ahead of real playback, until playback has caught up by half.
   * The recommended way to publish; keep `frame` unchanged until it resolves.
   */
  async serveFrameBlock(frame: Uint8Array): Promise<boolean> {
    const until = this.pacer?.blockUntilMs(this.values().frameAhead);
    if (until !== undefined) {
      for (let left = until - this.now(); left > 0; left = until - this.now()) await sleep(Math.ceil(left));
    }
    return this.serveFrame(frame);
  }

  /** Encodes every buffered frame, writes the trailer and releases the output. Safe to call twice. */
  async close(): Promise<void> {
    const output = this.output;
    if (output === undefined) return;
    this.output = undefined;
    this.stateNow = 'closing';
    try {
      await output.close();
    } finally {
      this.lastBytes = output.bytes;
      this.lost = Math.max(0, (this.pacer?.pushed ?? 0) - output.written);
      this.stateNow = 'closed';
    }
  }

  /** Closes, then forgets every parameter, the default address and the counters. */
  async clear(): Promise<void> {
    await this.close();
    this.explicit = {};
    this.source = {};
    this.config = undefined;
    this.pacer = undefined;
    this.refused = 0;
    this.lost = 0;
    this.lastBytes = 0;
    this.lastError = undefined;
  }

  /** Frames pushed, played (by the real-time clock), dropped (refused or lost to a failure), encoded bytes. */
  get counters(): PublisherCounters {
    const output = this.output;
    const pushed = this.pacer?.pushed ?? 0;
    const lost = output !== undefined && output.failure !== undefined ? pushed - output.written : this.lost;
    return {
      pushed,
      played: this.pacer?.played ?? 0,
      dropped: this.refused + Math.max(0, lost),
      bytes: output?.bytes ?? this.lastBytes,
    };
  }

  override toString(): string {
    const v = this.values();
    const c = this.counters;
    const where = v.address === undefined ? 'no address' : `${v.address} [${v.formatName ?? '?'}]`;
    const size = v.width === undefined || v.height === undefined ? 'size unset' : `${v.width}x${v.height}`;
    const src = `${v.widthSrc ?? '?'}x${v.heightSrc ?? '?'} ${v.pixelFormat}`;
    const rate = v.bitRate === 0 ? 'constant quality' : `${v.bitRate} kbit/s`;
    return [
      `StreamPublisher (${this.stateNow}) → ${where}`,
      `  config: ${v.codecName} ${v.preset}, ${size} from ${src}, ${v.frameRate[0]}/${v.frameRate[1]} fps, ` +
        `GOP ${v.GOPSize}, B-frames ${v.maxBframe}, ${rate}, nthread ${v.nthread}, frameAhead ${v.frameAhead}`,
      `  counters: pushed ${c.pushed}, played ${c.played}, dropped ${c.dropped}, bytes ${c.bytes}, ` +
        `waitRef ${v.waitRef.toFixed(3)} s`,
      ...(this.lastError === undefined ? [] : [`  last error: ${this.lastError.message}`]),
    ].join('\n');
  }

  private values(): PublisherParameterValues {
    const values = resolveValues(this.explicit, this.source);
    const open = this.config;
    if (open !== undefined && this.output !== undefined) {
      values.address = open.address;
      values.formatName = open.target.formatName;
    }
    const timeBase = this.output?.timeBase ?? { num: values.frameRate[1], den: values.frameRate[0] };
    return {
      ...values,
      waitRef: this.pacer?.waitRefS(values.frameAhead) ?? 0,
      ptsAhead: ptsAheadFor(values.frameAhead, values.frameRate, timeBase),
    };
  }

  private apply(checked: PublisherParameters, source: SourceDescription | undefined, changed: string[]): void {
    const explicit = { ...this.explicit, ...checked };
    const nextSource = source ?? this.source;
    checkCombination(resolveValues(explicit, nextSource), changed);
    this.explicit = explicit;
    this.source = nextSource;
  }

  /** While an output is open only pacing and the next address may change: the encoder is already set up. */
  private refuseWhileOpen(checked: PublisherParameters, withSource: boolean): void {
    if (this.output === undefined && this.stateNow !== 'opening') return;
    if (withSource) throw lockedWhileOpen('source');
    const current = resolveValues(this.explicit, this.source);
    for (const [key, value] of Object.entries(checked)) {
      if (CHANGEABLE_WHILE_OPEN.has(key)) continue;
      if (JSON.stringify(current[key as keyof typeof current]) === JSON.stringify(value)) continue;
      throw lockedWhileOpen(key);
    }
  }

  private refuse(err: VigilError): false {
    this.refused += 1;
    this.report(err);
    return false;
  }

  private onOutputFailure(err: VigilError): void {
    if (this.stateNow === 'open') this.stateNow = 'failed';
    this.report(err);
  }

  private report(err: VigilError): void {
    this.lastError = err;
    // An 'error' event with no listener would throw out of serveFrame: the boolean and lastError carry it then.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

function lockedWhileOpen(field: string): VigilError {
  return new VigilError('CONFLICT', `${field}: cannot change while the publisher is open; close() first`, { field });
}
