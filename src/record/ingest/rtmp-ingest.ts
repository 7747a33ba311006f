/**
 * Vigil as an RTMP server for its publish:// streams. A publisher connects to
 * `rtmp://host:port/{app}/{stream}?key=…`; the stream must exist, be enabled,
 * have url publish:// and that key (or the in-process token a vigil://
 * StreamPublisher gets), and have no publisher already. Anything else is
 * refused by closing the connection, with the reason logged (never the key).
 *
 * The stream's recorder reads an accepted publish back over loopback as an
 * RTMP player holding a per-process token, so it records exactly as it does a
 * pulled rtmp:// source. When the publisher leaves, the players are closed:
 * the recorder's attempt ends and it waits at the gate for the next publisher.
 * The gate opens at the first picture or sound, not at the publish command: a
 * publisher that connects and sends nothing leaves the stream `waiting`
 * rather than failing the recorder's attempts.
 *
 * A publisher stays only while its stream would still admit it: every
 * `recheckMs` the live publishers' streams are read again, and one whose
 * stream was deleted, disabled, moved off publish:// or given another key is
 * disconnected.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { StreamDefinition } from '../../config/stream-types.js';
import { isPublishSource, PUBLISH_SOURCE_URL } from '../../config/stream-types.js';
import { VigilError } from '../../errors.js';
import { nowUs } from '../../time.js';
import type { GatedSource, SourceGate } from '../source-gate.js';
import type { PublisherInfo } from '../types.js';
import { createRtmpSession, isMediaFrame, routeNmsLog, type NmsPacket, type NmsSession } from './nms-session.js';
import { sameSecret } from '../../secret-compare.js';
import { queryValue } from './publish-key.js';

/** Where the log lines go: a pino logger fits. */
export interface IngestLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface RtmpIngestOptions {
  host: string;
  /** 0 picks a free port; `port` tells which. */
  port: number;
  /** The application name publishers use (`live`). */
  app: string;
  /** The stream's current definition, read at each publish (keys and streams change at run time). */
  findStream(name: string): Promise<StreamDefinition | undefined>;
  log: IngestLog;
  now?: () => number;
  /** How often live publishers' streams are read again (deleted, disabled, new key); default 1000 ms. */
  recheckMs?: number;
}

interface LivePublish {
  session: NmsSession;
  socket: Socket;
  info: PublisherInfo;
  /** The key the publisher gave; undefined for the in-process token, which no key change revokes. */
  key: string | undefined;
  /** A picture or sound arrived: until then there is nothing for a recorder to read. */
  mediaStarted: boolean;
  ended: boolean;
}

const DEFAULT_RECHECK_MS = 1000;

/** Messages a publisher may send while its key is being checked; more is refused. */
const MAX_PENDING_PACKETS = 2000;

export class RtmpIngest {
  private readonly live = new Map<string, LivePublish>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly sockets = new Set<Socket>();
  /**
   * One-time tokens that let a recorder play a publish (nobody else may): a
   * fresh one per attempt, so one seen in a logged URL is already spent.
   */
  private readonly pullTokens = new Map<string, string>();
  /** Lets an in-process vigil:// StreamPublisher publish without knowing the key. */
  private readonly localToken = randomBytes(18).toString('base64url');
  private readonly now: () => number;
  private server: Server | undefined;
  private boundPort = 0;
  private recheckTimer: NodeJS.Timeout | undefined;
  private rechecking = false;

  private constructor(private readonly options: RtmpIngestOptions) {
    this.now = options.now ?? nowUs;
  }

  /** Listens; rejects with a VigilError naming `rtmp.listen` when the address cannot be bound. */
  static async start(options: RtmpIngestOptions): Promise<RtmpIngest> {
    const ingest = new RtmpIngest(options);
    routeNmsLog((level, message) => {
      if (level === 'error' || level === 'warn') options.log.warn({ component: 'rtmp' }, message);
      else options.log.debug({ component: 'rtmp' }, message);
    });
    const server = createServer((socket) => ingest.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new VigilError(
            'INVALID_CONFIG',
            `rtmp.listen: cannot listen on ${options.host}:${options.port}: ${err.message}`,
            {
              field: 'rtmp.listen',
              cause: err,
            },
          ),
        ),
      );
      server.listen(options.port, options.host, () => resolve());
    });
    server.on('error', (err) => options.log.warn({ err }, 'RTMP ingest server error'));
    const address = server.address();
    ingest.boundPort = typeof address === 'object' && address !== null ? address.port : options.port;
    ingest.server = server;
    ingest.recheckTimer = setInterval(() => void ingest.recheck(), options.recheckMs ?? DEFAULT_RECHECK_MS);
    // The listener keeps the process alive while it should; the periodic check must not.
    ingest.recheckTimer.unref();
    return ingest;
  }

  get port(): number {
    return this.boundPort;
  }

  /** The recorder's gate for a stream: waits for a publisher and hands out the loopback URL to read it. */
  gateFor(stream: string): SourceGate {
    return {
      waitForSource: (signal) => this.waitForPublisher(stream, signal),
      publisher: () => this.publisher(stream),
    };
  }

  /** The publisher connected to `stream` now, if any. */
  publisher(stream: string): PublisherInfo | undefined {
    return this.live.get(stream)?.info;
  }

  /**
   * The URL an in-process publisher pushes to: the loopback ingest with the
   * process's own token instead of the stream's key. Refuses a stream that
   * cannot take a publisher, naming why.
   */
  async localPublishUrl(stream: string): Promise<string> {
    const problem = refusal(await this.options.findStream(stream));
    if (problem !== undefined) {
      throw new VigilError('STREAM_NOT_FOUND', `address: stream "${stream}": ${problem}`, { field: 'address' });
    }
    if (this.live.has(stream)) {
      throw new VigilError('CONFLICT', `address: stream "${stream}" already has a publisher`, { field: 'address' });
    }
    return `${this.loopbackBase()}/${stream}?token=${this.localToken}&via=vigil`;
  }

  /**
   * Reads the stream of every live publisher again and disconnects those it
   * would no longer admit (deleted, disabled, not publish://, another key).
   * Runs every `recheckMs`; callers that just changed a stream may call it to
   * act at once. A failed lookup keeps the publisher.
   */
  async recheck(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      for (const [stream, entry] of [...this.live]) {
        let def: StreamDefinition | undefined;
        try {
          def = await this.options.findStream(stream);
        } catch (err) {
          this.options.log.debug({ err, stream }, 'RTMP publisher recheck: stream lookup failed');
          continue;
        }
        if (entry.ended || this.live.get(stream) !== entry) continue;
        const keyChanged = entry.key !== undefined && !sameSecret(entry.key, def?.publishKey);
        const reason = refusal(def) ?? (keyChanged ? 'the publish key changed' : undefined);
        if (reason === undefined) continue;
        this.options.log.info({ stream, client: entry.info.client, reason }, 'RTMP publisher disconnected');
        entry.socket.destroy();
      }
    } finally {
      this.rechecking = false;
    }
  }

  /** Closes the listener and every connection (publishers and players). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    clearInterval(this.recheckTimer);
    this.recheckTimer = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private loopbackBase(): string {
    const { host, app } = this.options;
    const wildcard = host === '0.0.0.0' || host === '::' || host === '';
    const target = wildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `rtmp://${target}:${this.boundPort}/${app}`;
  }

  private waitForPublisher(stream: string, signal: AbortSignal): Promise<GatedSource | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (signal.aborted) {
          resolve(undefined);
          return true;
        }
        const entry = this.live.get(stream);
        if (entry === undefined || !entry.mediaStarted) return false;
        const token = randomBytes(18).toString('base64url');
        this.pullTokens.set(stream, token);
        resolve({ url: `${this.loopbackBase()}/${stream}?pull=${token}`, ended: () => entry.ended });
        return true;
      };
      if (check()) return;
      const waiting = this.waiters.get(stream) ?? new Set<() => void>();
      this.waiters.set(stream, waiting);
      const wake = (): void => {
        if (!check()) return;
        waiting.delete(wake);
        signal.removeEventListener('abort', wake);
      };
      waiting.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const session = createRtmpSession(socket);
    const push = session.onPush;
    const play = session.onPlay;
    const forward = session.onPacket;
    let pending: NmsPacket[] | undefined;
    let live: LivePublish | undefined;
    const relay = (packet: NmsPacket): void => {
      forward(packet);
      // After forwarding: the library's GOP cache then holds the frame for the recorder that joins now.
      if (live !== undefined && !live.mediaStarted && isMediaFrame(packet)) this.onFirstMedia(live);
    };
    // Until the key is checked nothing reaches the players: a refused client must not feed a live stream.
    session.onPacket = (packet) => {
      if (live !== undefined) return relay(packet);
      if (pending === undefined) return;
      pending.push(packet);
      if (pending.length > MAX_PENDING_PACKETS) socket.destroy();
    };
    session.onPush = () => {
      pending = [];
      void this.admitPublisher(session).then((admitted) => {
        const queued = pending ?? [];
        pending = undefined;
        if (admitted === undefined || socket.destroyed) return void socket.destroy();
        if (this.live.has(session.streamName)) {
          this.refuse(session, 'the stream already has a publisher');
          return void socket.destroy();
        }
        // A new publish starts a new recording; the library's reconnect grace would hold the stream instead.
        session.broadcast.publishGraceMs = 0;
        push();
        if (!session.isPublisher) return void socket.destroy();
        live = this.startPublish(session, admitted, socket);
        for (const packet of queued) relay(packet);
      });
    };
    session.onPlay = () => {
      const entry = this.live.get(session.streamName);
      const token = queryValue(session.streamQuery, 'pull');
      const expected = this.pullTokens.get(session.streamName);
      if (entry === undefined || !sameSecret(token, expected) || session.streamApp !== this.options.app) {
        this.options.log.warn(
          { stream: session.streamName, client: session.ip },
          'RTMP player refused: this server takes publishers only',
        );
        return void socket.destroy();
      }
      this.pullTokens.delete(session.streamName);
      play();
    };
    session.run();
  }

  /** The publisher's description (and the key it gave) when it may publish; otherwise logs why and returns undefined. */
  private async admitPublisher(
    session: NmsSession,
  ): Promise<{ info: PublisherInfo; key: string | undefined } | undefined> {
    const stream = session.streamName;
    if (session.streamApp !== this.options.app) {
      return this.refuse(session, `unknown application "${session.streamApp}" (use /${this.options.app}/{stream})`);
    }
    let def: StreamDefinition | undefined;
    try {
      def = await this.options.findStream(stream);
    } catch (err) {
      this.options.log.warn({ err, stream }, 'RTMP publisher: stream lookup failed');
      return this.refuse(session, 'the stream could not be looked up');
    }
    const problem = refusal(def);
    if (problem !== undefined) return this.refuse(session, problem);
    const local = sameSecret(queryValue(session.streamQuery, 'token'), this.localToken);
    const key = local ? undefined : queryValue(session.streamQuery, 'key');
    if (!local) {
      if (key === undefined) return this.refuse(session, 'no key (add ?key=<publish_key>)');
      if (!sameSecret(key, def?.publishKey)) return this.refuse(session, 'wrong key');
    }
    const via = local || queryValue(session.streamQuery, 'via') === 'vigil' ? 'vigil' : 'rtmp';
    return { info: { via, client: session.ip, sinceUs: this.now() }, key };
  }

  private startPublish(
    session: NmsSession,
    admitted: { info: PublisherInfo; key: string | undefined },
    socket: Socket,
  ): LivePublish {
    const stream = session.streamName;
    const { info, key } = admitted;
    const entry: LivePublish = { session, socket, info, key, mediaStarted: false, ended: false };
    this.live.set(stream, entry);
    this.options.log.info({ stream, client: info.client, via: info.via }, 'RTMP publisher started');
    socket.once('close', () => {
      entry.ended = true;
      if (this.live.get(stream) === entry) this.live.delete(stream);
      this.options.log.info({ stream, client: info.client }, 'RTMP publisher left');
      // The recorders read until these close: end them once what was sent is flushed.
      for (const player of session.broadcast.subscribers.values()) player.close();
    });
    return entry;
  }

  private onFirstMedia(entry: LivePublish): void {
    entry.mediaStarted = true;
    const stream = entry.session.streamName;
    if (this.live.get(stream) !== entry) return;
    for (const wake of [...(this.waiters.get(stream) ?? [])]) wake();
  }

  private refuse(session: NmsSession, reason: string): undefined {
    this.options.log.warn({ stream: session.streamName, client: session.ip, reason }, 'RTMP publisher refused');
    return undefined;
  }
}

/** Why a stream cannot take a publisher, or undefined when it can. */
function refusal(def: StreamDefinition | undefined): string | undefined {
  if (def === undefined) return 'no such stream';
  if (!isPublishSource(def.url)) return `not a ${PUBLISH_SOURCE_URL} stream`;
  if (!def.enabled) return 'the stream is disabled';
  return undefined;
}
