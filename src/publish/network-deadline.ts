/**
 * Keeps a frozen server from hanging a publisher. FFmpeg's blocking network
 * calls (RTMP handshake, a write the server never reads) return only when the
 * format context's interrupt callback says so (RTSP), or when their socket is
 * reset (RTMP, through the relay of rtmp-relay.ts); `IoDeadline` does either
 * when one call outlives `timeoutMs`. `checkReachable` connects once before
 * the output is opened, so an address with nothing listening fails `open()`
 * at once.
 */
import { connect, type Socket } from 'node:net';
import { VigilError } from '../errors.js';

const DEFAULT_PORTS: Record<string, number> = { rtmp: 1935, rtmps: 443, rtsp: 554, rtsps: 322 };

/** The error for a server that did not answer: names the address and the timeout that ran out. */
export function publishTimeout(address: string, timeoutMs: number, during: string): VigilError {
  return new VigilError(
    'TIMEOUT',
    `address: ${address} did not answer within ${timeoutMs} ms (timeoutMs) while ${during}; ` +
      'check that the server is up and reading, or raise timeoutMs',
    { field: 'address' },
  );
}

/** Host and port of an rtmp:// or rtsp:// URL; undefined for anything else. */
export function networkEndpoint(url: string): { host: string; port: number } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol.replace(/:$/, '').toLowerCase()];
  if (defaultPort === undefined || parsed.hostname === '') return undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}

/**
 * Opens and closes one TCP connection to the server of `url`: rejects with
 * PUBLISH_FAILED (refused, unknown host) or TIMEOUT, naming `address`.
 */
export async function checkReachable(address: string, url: string, timeoutMs: number): Promise<void> {
  const endpoint = networkEndpoint(url);
  if (endpoint === undefined) return;
  const socket = await connectWithin(address, endpoint, timeoutMs);
  socket.destroy();
}

/**
 * One TCP connection to `endpoint`, connected within `timeoutMs` (the name
 * lookup included): rejects with PUBLISH_FAILED (refused, unknown host) or
 * TIMEOUT, naming `address`. The socket comes back with an error listener, so
 * a later reset is not an uncaught error; the caller adds its own.
 */
export function connectWithin(
  address: string,
  endpoint: { host: string; port: number },
  timeoutMs: number,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    // Half-open allowed: the RTMP relay forwards each direction's end on its own.
    const socket = connect({ host: endpoint.host, port: endpoint.port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(publishTimeout(address, timeoutMs, 'connecting'));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new VigilError('PUBLISH_FAILED', `address: cannot open ${address} for publishing: ${err.message}`, {
          field: 'address',
          cause: err,
        }),
      );
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/**
 * Runs blocking engine calls under a deadline. When one runs past
 * `timeoutMs`, `interrupt` is called (it must make the call return soon) and
 * the call's result is replaced by `publishTimeout`. The interrupt is sticky:
 * every later call fails fast too, which is what lets `close()` finish.
 */
export class IoDeadline {
  private expired: VigilError | undefined;

  constructor(
    private readonly address: string,
    private readonly timeoutMs: number,
    private readonly interrupt: () => void,
  ) {}

  /** The timeout error once a call has run out of time. */
  get failure(): VigilError | undefined {
    return this.expired;
  }

  async run<T>(during: string, call: () => Promise<T>): Promise<T> {
    if (this.expired !== undefined) throw this.expired;
    const timer = setTimeout(() => {
      this.expired = publishTimeout(this.address, this.timeoutMs, during);
      this.interrupt();
    }, this.timeoutMs);
    try {
      const result = await call();
      if (this.expired !== undefined) throw this.expired;
      return result;
    } catch (err) {
      throw this.expired ?? err;
    } finally {
      clearTimeout(timer);
    }
  }
}
