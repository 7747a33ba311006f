/**
 * A local TCP relay between FFmpeg and an RTMP server, so that a frozen
 * server cannot hang the publisher.
 *
 * node-av opens FLV output I/O with avio_open2(url) and no interrupt
 * callback, so nothing inside FFmpeg can abort an RTMP handshake the server
 * never answers, nor a send it never reads: the call blocks for as long as
 * TCP allows (minutes). Here FFmpeg connects to 127.0.0.1 instead and Node
 * carries the bytes; `cut()` resets FFmpeg's socket, so its blocked send or
 * receive fails at once and the engine call returns. The publisher's
 * `IoDeadline` calls `cut()` when a call outlives `timeoutMs`.
 *
 * Bytes go both ways through `pipe`, which pauses the reading side while the
 * other side's buffer is full: when the server stops reading, the relay
 * stops reading FFmpeg and FFmpeg's send blocks in the kernel. Node holds at
 * most a stream high-water mark each way, never the whole backlog.
 *
 * Known consequence: FFmpeg builds the RTMP `connect` command's tcUrl from
 * the URL it was given, so the server sees `rtmp://127.0.0.1:<port>/<app>`.
 * A server that picks a virtual host from tcUrl (SRS vhosts) needs it in the
 * URL (`?vhost=`). rtmps:// is not relayed (TLS goes to the real host, and
 * its name is checked against the certificate), so its writes are not under
 * the deadline yet.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { VigilError } from '../errors.js';
import { connectWithin, networkEndpoint } from './network-deadline.js';

/** A relay for one RTMP connection; FFmpeg is given `localUrl`. */
export interface RtmpRelay {
  /** The target URL with its host and port replaced by the relay's (127.0.0.1). */
  readonly localUrl: string;
  /**
   * Once FFmpeg has closed its connection: resolves when everything it sent
   * is handed to the server's connection, then closes that too. Run it under
   * the deadline: a server that stops reading keeps it waiting.
   */
  finish(): Promise<void>;
  /** Resets FFmpeg's connection, closes the server's and stops listening, at once. Safe to call twice. */
  cut(): void;
}

/** Whether the publisher relays this URL: plain rtmp:// (vigil:// resolves to one), not rtmps://. */
export function isRelayed(url: string): boolean {
  return /^rtmp:\/\//i.test(url);
}

// scheme://, userinfo up to the last '@' before the path (as FFmpeg splits it), host or [IPv6], :port.
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?(\[[^\]]*\]|[^/?#:@]*)(:[0-9]*)?(?=[/?#]|$)/i;

/**
 * `url` with its host and port replaced by 127.0.0.1:`port`; everything else
 * (userinfo, path, query) is kept byte for byte, since FFmpeg reads the app,
 * stream key and credentials from it.
 */
export function relayUrl(url: string, port: number): string {
  const match = AUTHORITY.exec(url);
  if (match === null || match[3] === '') {
    // Not the URL itself: it may carry a stream key.
    throw new VigilError('INTERNAL', 'publisher: the RTMP URL to relay names no host');
  }
  return `${match[1]}${match[2] ?? ''}127.0.0.1:${port}${url.slice(match[0].length)}`;
}

/**
 * Connects to the server of `url` within `timeoutMs` (refused: PUBLISH_FAILED,
 * no answer: TIMEOUT, both naming `address`), then listens on 127.0.0.1 for
 * FFmpeg's one connection. `address` is what messages show: give it redacted.
 */
export async function openRtmpRelay(address: string, url: string, timeoutMs: number): Promise<RtmpRelay> {
  const endpoint = isRelayed(url) ? networkEndpoint(url) : undefined;
  if (endpoint === undefined) throw new VigilError('INTERNAL', 'publisher: only rtmp:// URLs are relayed');
  const upstream = await connectWithin(address, endpoint, timeoutMs);
  const listener = createServer({ allowHalfOpen: true });
  try {
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
  } catch (err) {
    upstream.destroy();
    listener.close();
    throw new VigilError('INTERNAL', `publisher: cannot listen on 127.0.0.1 for the RTMP relay: ${String(err)}`, {
      cause: err,
    });
  }
  const bound = listener.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : 0;
  return new Relay(upstream, listener, relayUrl(url, port));
}

class Relay implements RtmpRelay {
  private client: Socket | undefined;
  /** FFmpeg closed its side in order: what is left is handing its last bytes to the server. */
  private clientEnded = false;
  private done = false;
  private settle: () => void = () => undefined;
  /** Settles when the server's connection has taken FFmpeg's last byte, or is gone. */
  private readonly flushed = new Promise<void>((resolve) => (this.settle = resolve));

  constructor(
    private readonly upstream: Socket,
    private readonly listener: Server,
    readonly localUrl: string,
  ) {
    upstream.setNoDelay(true);
    upstream.on('error', () => this.cut());
    upstream.once('finish', () => this.settle());
    // The server left: FFmpeg must see an error at its next send, not keep writing into a closed relay.
    upstream.once('close', () => (this.clientEnded ? this.settle() : this.cut()));
    listener.on('connection', (socket: Socket) => this.accept(socket));
  }

  async finish(): Promise<void> {
    if (this.client !== undefined && !this.done) await this.flushed;
    this.cut();
  }

  cut(): void {
    if (this.done) return;
    this.done = true;
    if (this.client !== undefined && !this.client.destroyed) this.client.resetAndDestroy();
    this.upstream.destroy();
    if (this.listener.listening) this.listener.close();
    this.settle();
  }

  private accept(socket: Socket): void {
    socket.on('error', () => (this.clientEnded ? undefined : this.cut()));
    // One connection only; a second (or one after the server left) is refused with a reset.
    if (this.client !== undefined || this.done || this.upstream.destroyed) {
      socket.resetAndDestroy();
      return;
    }
    this.client = socket;
    this.listener.close();
    socket.setNoDelay(true);
    // Each direction ends on its own (half-close), as it would without the relay.
    socket.once('end', () => (this.clientEnded = true));
    socket.once('close', () => {
      if (!this.clientEnded) return this.cut();
      // What the server still says is read and dropped, so closing its connection later sends no reset.
      this.upstream.unpipe(socket);
      this.upstream.resume();
    });
    socket.pipe(this.upstream);
    this.upstream.pipe(socket);
  }
}
