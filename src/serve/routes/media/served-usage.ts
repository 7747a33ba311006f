/**
 * Reports a media response's usage (`MediaDeps.onServed`) once it is over,
 * with what only the HTTP layer knows: the client's address (Fastify's
 * `request.ip`, which follows `trustProxy`), the final status and how long
 * the response took. A request is marked when its route takes charge of
 * reporting, so the app's response hook reports the others (errors,
 * redirects) once, with no bytes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServedBytes } from '../../../export/types.js';
import type { MediaUsage } from '../../deps.js';
import { parseMediaFileName } from './media-paths.js';

type OnServed = ((usage: MediaUsage) => void) | undefined;
type Asked = Pick<MediaUsage, 'stream' | 'kind' | 'dvrUtcUs'>;

const NO_BYTES: ServedBytes = { fromRam: 0, fromDisk: 0, fromRemote: 0 };
const reporting = new WeakSet<FastifyRequest>();

function report(request: FastifyRequest, reply: FastifyReply, onServed: OnServed, asked: Asked, served: ServedBytes) {
  onServed?.({ ...asked, status: reply.statusCode, served, clientIp: request.ip, durationMs: reply.elapsedTime });
}

/** The `onDone` of a streamed body (`sendVirtualFile`), which gets the bytes the connection took. */
export function servedReporter(
  request: FastifyRequest,
  reply: FastifyReply,
  onServed: OnServed,
  asked: Asked,
): (served: ServedBytes) => void {
  reporting.add(request);
  return (served) => report(request, reply, onServed, asked, served);
}

/**
 * For a body sent whole from memory (a playlist, a JPEG): all of it counts as
 * from RAM once the connection has taken it, none if the client left first.
 */
export function reportInMemoryBody(
  request: FastifyRequest,
  reply: FastifyReply,
  onServed: OnServed,
  asked: Asked,
  bodyBytes: number,
): void {
  reporting.add(request);
  reply.raw.once('close', () => {
    const sent = request.method !== 'HEAD' && reply.raw.writableFinished ? bodyBytes : 0;
    report(request, reply, onServed, asked, { ...NO_BYTES, fromRam: sent });
  });
}

/**
 * A viewer URL answered without a body of ours (an error, a redirect, a
 * refused credential): reported with no bytes. Called from the app's
 * response hook; does nothing for requests a route reports itself.
 */
export function reportUnservedMedia(request: FastifyRequest, reply: FastifyReply, onServed: OnServed): void {
  if (onServed === undefined || reporting.has(request)) return;
  const { name, file } = request.params as { name?: unknown; file?: unknown };
  if (typeof name !== 'string' || typeof file !== 'string') return;
  const route = request.routeOptions.url;
  if (route === '/:name/s/:file') {
    report(request, reply, onServed, { stream: name, kind: 'hls-segment', dvrUtcUs: null }, NO_BYTES);
    return;
  }
  if (route !== '/:name/:file') return;
  let asked: Asked;
  try {
    const parsed = parseMediaFileName(file);
    asked =
      parsed.kind === 'live-playlist'
        ? { stream: name, kind: 'live-playlist', dvrUtcUs: null }
        : {
            stream: name,
            kind: parsed.kind === 'playlist' ? 'hls-playlist' : parsed.kind,
            dvrUtcUs: parsed.fromUs,
          };
  } catch {
    return; // not a media file name: nothing was asked of the archive
  }
  report(request, reply, onServed, asked, NO_BYTES);
}
