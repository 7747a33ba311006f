/**
 * The RTSP exchange of one session over TCP interleaved (RFC 2326/7826):
 * OPTIONS, DESCRIBE (the SDP), SETUP of each track with its pair of channels,
 * PLAY (whose RTP-Info gives each track's RTP time at the start), then
 * keep-alive requests at half the session timeout and TEARDOWN on close.
 */
import { VigilError } from '../../errors.js';
import type { Credentials } from './auth.js';
import { RtspConnection } from './rtsp-connection.js';
import type { RtspResponse } from './rtsp-framing.js';
import { planTracks, type TrackPlan } from './rtsp-tracks.js';
import { parseSdp, resolveControl } from './sdp.js';

/** RFC 2326 §12.37: a session without a timeout parameter times out after 60 s. */
const DEFAULT_SESSION_TIMEOUT_S = 60;

export interface RtspTarget {
  host: string;
  port: number;
  /** The URL without credentials: what requests name and messages show. */
  url: string;
  credentials: Credentials | undefined;
}

/** Splits a source URL into where to connect and the credentials it carries. */
export function rtspTarget(url: string): RtspTarget {
  const parsed = new URL(url);
  const credentials =
    parsed.username === ''
      ? undefined
      : { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 554 : Number(parsed.port),
    url: parsed.toString(),
    credentials,
  };
}

export interface SetUpTrack {
  plan: TrackPlan;
  /** The interleaved channel of its RTP; RTCP is the next one. */
  rtpChannel: number;
  controlUrl: string;
}

export class RtspSession {
  private keepAlive: NodeJS.Timeout | undefined;
  private keepAliveMethod = 'OPTIONS';
  private sessionTimeoutS = DEFAULT_SESSION_TIMEOUT_S;
  private baseUrl: string;
  private sessionControl: string | undefined;
  readonly tracks: SetUpTrack[] = [];

  constructor(
    readonly connection: RtspConnection,
    private readonly target: RtspTarget,
  ) {
    this.baseUrl = target.url;
  }

  /** OPTIONS and DESCRIBE: the tracks to set up (or NativeRtspUnsupported). */
  async describe(): Promise<TrackPlan[]> {
    const options = await this.connection.request('OPTIONS', this.target.url);
    const methods = (options.headers.get('public') ?? []).join(',').toUpperCase();
    if (/\bGET_PARAMETER\b/.test(methods)) this.keepAliveMethod = 'GET_PARAMETER';
    const described = await this.connection.request('DESCRIBE', this.target.url, { Accept: 'application/sdp' });
    const base = described.headers.get('content-base')?.[0] ?? described.headers.get('content-location')?.[0];
    if (base !== undefined) this.baseUrl = base.replace(/\/$/, '');
    const sdp = parseSdp(described.body);
    this.sessionControl = sdp.control;
    return planTracks(sdp.media);
  }

  /** SETUP of each track, asking for channels 2i and 2i+1 (the server may pick others). */
  async setup(plans: TrackPlan[]): Promise<SetUpTrack[]> {
    for (const [i, plan] of plans.entries()) {
      const controlUrl = resolveControl(this.baseUrl, plan.media.control);
      const response = await this.connection.request('SETUP', controlUrl, {
        Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`,
      });
      const transport = response.headers.get('transport')?.[0] ?? '';
      const channel = /interleaved=(\d+)/.exec(transport);
      if (channel === null) {
        throw new VigilError('SOURCE_FAILED', `${this.target.url}: SETUP gave no interleaved channel (${transport})`);
      }
      const timeout = /;\s*timeout=(\d+)/.exec(response.headers.get('session')?.[0] ?? '');
      if (timeout !== null && Number(timeout[1]) > 0) this.sessionTimeoutS = Number(timeout[1]);
      this.tracks.push({ plan, rtpChannel: Number(channel[1]), controlUrl });
    }
    return this.tracks;
  }

  /**
   * PLAY. `onRtpTimes` runs as the response is parsed, before any RTP after
   * it: the RTP time each track had at the start of play, where RTP-Info says.
   */
  async play(onRtpTimes: (rtpTimes: (number | undefined)[]) => void): Promise<void> {
    const url = resolveControl(this.baseUrl, this.sessionControl);
    await this.connection.request('PLAY', url, { Range: 'npt=0.000-' }, (response) =>
      onRtpTimes(this.rtpTimes(response)),
    );
    const periodMs = (this.sessionTimeoutS * 1000) / 2;
    this.keepAlive = setInterval(() => this.connection.sendAndForget(this.keepAliveMethod, this.target.url), periodMs);
    this.keepAlive.unref();
  }

  /** Stops the keep-alive and sends TEARDOWN; the connection closes once it is written. */
  close(): void {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.connection.closeAfter('TEARDOWN', resolveControl(this.baseUrl, this.sessionControl));
  }

  private rtpTimes(response: RtspResponse): (number | undefined)[] {
    const entries = (response.headers.get('rtp-info') ?? [])
      .join(',')
      .split(',')
      .map((entry) => {
        const url = /url=([^;]+)/.exec(entry)?.[1]?.trim();
        const rtptime = /rtptime=(\d+)/.exec(entry)?.[1];
        return { url, rtptime: rtptime === undefined ? undefined : Number(rtptime) };
      });
    return this.tracks.map((track, i) => {
      // Servers write the track URL absolute or as its control; some list the tracks in order only.
      const byUrl = entries.find(
        (e) =>
          e.url !== undefined &&
          (e.url === track.controlUrl ||
            track.controlUrl.endsWith(e.url) ||
            e.url.endsWith(track.plan.media.control ?? '\0')),
      );
      return (byUrl ?? (entries.length === this.tracks.length ? entries[i] : undefined))?.rtptime;
    });
  }
}
