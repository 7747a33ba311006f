/**
 * `vigil://` addresses: publishing straight into a Vigil stream whose url is
 * publish://, over its RTMP ingest.
 *
 * - `vigil://{stream}`: the Vigil running in this process (started with an
 *   `rtmp:` section). It registers itself here at start; the publisher needs
 *   no key, the running server vouches for it.
 * - `vigil://host[:port]/{stream}?key=…` (or `/{app}/{stream}`): a Vigil
 *   elsewhere, at its RTMP ingest port (default 1935), with the stream's
 *   publish key. This is `rtmp://host:port/live/{stream}?key=…` marked as a
 *   vigil:// publisher in the stream list.
 */
import { VigilError, invalidArgument } from '../errors.js';

/** What the in-process Vigil offers a vigil:// publisher. */
export interface VigilIngestTarget {
  /** The RTMP URL to publish `stream` to; throws a VigilError naming `address` when it cannot take one. */
  publishUrl(stream: string): Promise<string>;
}

let registered: VigilIngestTarget | undefined;

/** Makes `target` the in-process Vigil for `vigil://{stream}`; returns the undo (a no-op once replaced). */
export function registerVigilIngest(target: VigilIngestTarget): () => void {
  registered = target;
  return () => {
    if (registered === target) registered = undefined;
  };
}

const STREAM = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_RTMP_PORT = 1935;
const HINT = 'use vigil://{stream} (this process) or vigil://host:port/{stream}?key=… (a Vigil elsewhere)';

/** The RTMP URL a vigil:// address publishes to. */
export async function resolveVigilAddress(address: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw invalidArgument('address', `not a vigil:// URL; ${HINT}`);
  }
  const parts = url.pathname.split('/').filter((p) => p !== '');
  if (parts.length === 0) {
    const stream = url.hostname;
    if (!STREAM.test(stream)) throw invalidArgument('address', `"${stream}" is not a stream name; ${HINT}`);
    if (registered === undefined) {
      throw new VigilError(
        'CONFLICT',
        `address: no Vigil with an RTMP ingest runs in this process (start one with an rtmp: section); ${HINT}`,
        { field: 'address' },
      );
    }
    return registered.publishUrl(stream);
  }
  const stream = parts.at(-1) ?? '';
  const app = parts.length > 1 ? parts.slice(0, -1).join('/') : 'live';
  if (!STREAM.test(stream)) throw invalidArgument('address', `"${stream}" is not a stream name; ${HINT}`);
  const key = url.searchParams.get('key');
  if (key === null || key === '') throw invalidArgument('address', `a remote vigil:// address needs ?key=; ${HINT}`);
  const port = url.port === '' ? DEFAULT_RTMP_PORT : Number(url.port);
  // hostname keeps an IPv6 address's brackets.
  return `rtmp://${url.hostname}:${port}/${app}/${stream}?key=${encodeURIComponent(key)}&via=vigil`;
}
