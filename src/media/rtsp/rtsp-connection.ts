/**
 * One RTSP control connection over TCP: requests and their responses (CSeq,
 * Session, authentication retry after a 401), and the interleaved RTP/RTCP
 * frames that share the socket after PLAY (handed to `onFrame` without a copy).
 */
import { connect, type Socket } from 'node:net';
import { VigilError } from '../../errors.js';
import { Authenticator, parseChallenges, pickChallenge, type Credentials } from './auth.js';
import { HOLD_BELOW_BYTES, type ReadBatcher } from './read-batcher.js';
import { RtspFraming, type RtspResponse } from './rtsp-framing.js';

const USER_AGENT = 'Vigil';
/**
 * Every connection of the thread reads into this one buffer: each read is
 * parsed, and what is kept copied, before the next read happens, so no
 * memory is allocated per read (Node's default is a fresh buffer each time,
 * which the garbage collector then has to find).
 */
const sharedReadBuffer = Buffer.allocUnsafeSlow(256 * 1024);

interface Pending {
  cseq: number;
  /** Runs as the response is parsed, before frames after it in the same chunk (PLAY's RTP-Info). */
  onSuccess: ((response: RtspResponse) => void) | undefined;
  resolve(response: RtspResponse): void;
  reject(err: Error): void;
}

export type FrameHandler = (channel: number, data: Buffer, offset: number, length: number) => void;

export class RtspConnection {
  /** Set before PLAY; frames before that are dropped. */
  onFrame: FrameHandler = () => undefined;
  /** Called once when the socket ends or fails. */
  onClose: (err: VigilError) => void = () => undefined;
  /** Called for every chunk read (the stall watch). */
  onData: () => void = () => undefined;
  session: string | undefined;
  private cseq = 0;
  private readonly pending: Pending[] = [];
  private readonly framing: RtspFraming;
  private auth: Authenticator | undefined;
  private closedWith: VigilError | undefined;
  /** Set once playing: reads are then taken in the batcher's ticks (read-batcher.ts). */
  private batcher: ReadBatcher | undefined;
  /** Paused by the consumer (back-pressure): a batch tick must not resume it. */
  private pausedByConsumer = false;
  /** Paused until the batcher's next tick. */
  private waitingForBatch = false;
  private readonly resumeBatch = (): void => {
    this.waitingForBatch = false;
    if (!this.pausedByConsumer && !this.closed) this.socket.resume();
  };

  private constructor(
    private readonly socket: Socket,
    reader: { onRead: (bytes: number, buffer: Buffer) => void },
    private readonly credentials: Credentials | undefined,
    private readonly label: string,
  ) {
    this.framing = new RtspFraming({
      frame: (channel, data, offset, length) => this.onFrame(channel, data, offset, length),
      response: (response) => this.settle(response),
    });
    reader.onRead = (bytes, buffer) => {
      this.onData();
      try {
        this.framing.push(buffer, bytes);
      } catch (err) {
        this.fail(err instanceof VigilError ? err : new VigilError('SOURCE_FAILED', `${label}: ${String(err)}`));
      }
      if (this.batcher !== undefined && bytes < HOLD_BELOW_BYTES && !this.waitingForBatch && !this.closed) {
        this.waitingForBatch = true;
        this.socket.pause();
        this.batcher.defer(this.resumeBatch);
      }
    };
    socket.on('error', (err) => this.fail(new VigilError('SOURCE_FAILED', `${label}: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new VigilError('SOURCE_FAILED', `${label}: the server closed the connection`)));
  }

  /** Connects to host:port; rejects with SOURCE_FAILED when the connection is refused. */
  static open(
    host: string,
    port: number,
    credentials: Credentials | undefined,
    label: string,
  ): Promise<RtspConnection> {
    return new Promise((resolve, reject) => {
      // Reads that come before the connection object exists (none: the server speaks only when asked) are dropped.
      const reader = { onRead: (_bytes: number, _buffer: Buffer): void => undefined };
      const socket = connect({
        host,
        port,
        noDelay: true,
        onread: {
          buffer: sharedReadBuffer,
          callback: (bytes, buffer) => {
            reader.onRead(bytes, buffer as Buffer);
            return true;
          },
        },
      });
      const onError = (err: Error): void => {
        socket.destroy();
        reject(new VigilError('SOURCE_FAILED', `${label}: could not connect: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new RtspConnection(socket, reader, credentials, label));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Sends a request and waits for its response, answering one authentication challenge. */
  async request(
    method: string,
    uri: string,
    headers: Record<string, string> = {},
    onSuccess?: (response: RtspResponse) => void,
  ): Promise<RtspResponse> {
    let response = await this.send(method, uri, headers, onSuccess);
    if (response.status === 401 && this.credentials !== undefined) {
      const challenge = pickChallenge(parseChallenges(response.headers.get('www-authenticate') ?? []));
      if (challenge !== undefined) {
        this.auth = new Authenticator(this.credentials, challenge);
        response = await this.send(method, uri, headers, onSuccess);
      }
    }
    if (response.status < 200 || response.status >= 300) {
      const hint = response.status === 401 ? ' (credentials missing or wrong)' : '';
      throw new VigilError(
        'SOURCE_FAILED',
        `${this.label}: ${method} answered ${response.status} ${response.reason}${hint}`,
      );
    }
    const session = response.headers.get('session')?.[0];
    if (session !== undefined) this.session ??= session.split(';')[0]?.trim();
    return response;
  }

  /** Sends a request whose response nobody waits for (keep-alive). */
  sendAndForget(method: string, uri: string): void {
    this.send(method, uri, {}, undefined).catch(() => undefined);
  }

  /** An interleaved frame to the server (RTCP receiver reports). */
  writeFrame(channel: number, payload: Uint8Array): void {
    if (this.closed) return;
    const header = Buffer.allocUnsafe(4);
    header[0] = 0x24;
    header[1] = channel;
    header.writeUInt16BE(payload.length, 2);
    this.socket.write(Buffer.concat([header, payload]));
  }

  close(): void {
    this.fail(new VigilError('SOURCE_FAILED', `${this.label}: closed`));
  }

  /** Sends a last request (TEARDOWN) and closes once it is written, without waiting for an answer. */
  closeAfter(method: string, uri: string): void {
    if (this.closed) return;
    const closing = new VigilError('SOURCE_FAILED', `${this.label}: closed`);
    this.send(method, uri, {}, undefined).catch(() => undefined);
    this.closedWith = closing;
    this.batcher?.cancel(this.resumeBatch);
    for (const p of this.pending.splice(0)) p.reject(closing);
    this.socket.end();
    // A server that never reads: do not keep the socket for ever.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  /** From now on a read that drained the socket is followed by a pause until the batcher's next tick. */
  batchReads(batcher: ReadBatcher): void {
    this.batcher = batcher;
  }

  pause(): void {
    this.pausedByConsumer = true;
    this.socket.pause();
  }

  resume(): void {
    this.pausedByConsumer = false;
    if (!this.waitingForBatch) this.socket.resume();
  }

  private send(
    method: string,
    uri: string,
    headers: Record<string, string>,
    onSuccess: ((response: RtspResponse) => void) | undefined,
  ): Promise<RtspResponse> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const cseq = ++this.cseq;
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${cseq}`, `User-Agent: ${USER_AGENT}`];
    if (this.auth !== undefined) lines.push(`Authorization: ${this.auth.header(method, uri)}`);
    if (this.session !== undefined) lines.push(`Session: ${this.session}`);
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    return new Promise<RtspResponse>((resolve, reject) => {
      this.pending.push({ cseq, onSuccess, resolve, reject });
      this.socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
  }

  private settle(response: RtspResponse): void {
    const cseq = Number(response.headers.get('cseq')?.[0]);
    // Responses come in order over TCP; CSeq picks the right one when a server skips one.
    let index = this.pending.findIndex((p) => p.cseq === cseq);
    if (index < 0) index = 0;
    const [pending] = this.pending.splice(index, 1);
    if (pending === undefined) return;
    if (response.status >= 200 && response.status < 300) pending.onSuccess?.(response);
    pending.resolve(response);
  }

  private fail(err: VigilError): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    this.batcher?.cancel(this.resumeBatch);
    this.socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(err);
    this.onClose(err);
  }
}
