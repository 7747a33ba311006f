/**
 * Sends a VirtualFile with the HTTP semantics a download and a player need:
 * Content-Length before the first byte, Accept-Ranges, 206/416, a strong ETag
 * where the caller has one (then If-None-Match / If-Range), HEAD without
 * reading anything. When the client goes away the reads stop at once.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServedBytes, VirtualFile } from '../export/types.js';
import { VigilError } from '../errors.js';
import { parseRangeHeader } from './http-range.js';

export interface SendOptions {
  /** Only for bytes that never change (a range wholly in the past, a closed segment). */
  etag?: string;
  lastModified?: Date;
  /** `attachment; filename=…` when set. */
  downloadName?: string;
  cacheControl: string;
  /** Called once the response is over (sent, or the client gone) with the bytes yielded, by origin. */
  onDone?: (served: ServedBytes) => void;
}

export function sendVirtualFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: VirtualFile,
  options: SendOptions,
): FastifyReply {
  reply.header('Content-Type', file.contentType);
  reply.header('Accept-Ranges', 'bytes');
  reply.header('Cache-Control', options.cacheControl);
  if (options.etag !== undefined) reply.header('ETag', options.etag);
  if (options.lastModified !== undefined) reply.header('Last-Modified', options.lastModified.toUTCString());
  if (options.downloadName !== undefined) {
    reply.header('Content-Disposition', `attachment; filename=${options.downloadName}`);
  }
  if (options.etag !== undefined && request.headers['if-none-match'] === options.etag) {
    return reply.code(304).send();
  }

  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === options.etag ? request.headers.range : undefined;
  const range = parseRangeHeader(rangeHeader, file.sizeBytes);
  if (range.kind === 'unsatisfiable') {
    reply.header('Content-Range', `bytes */${file.sizeBytes}`);
    throw new VigilError(
      'RANGE_NOT_SATISFIABLE',
      `range ${String(request.headers.range)} is outside the file of ${file.sizeBytes} bytes`,
    );
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : file.sizeBytes;
  if (range.kind === 'partial') {
    reply.code(206);
    reply.header('Content-Range', `bytes ${start}-${end - 1}/${file.sizeBytes}`);
  }
  reply.header('Content-Length', String(end - start));
  if (request.method === 'HEAD') return reply.send();

  const abort = new AbortController();
  // 'close' comes when the response is done or the client is gone; either way no more reads are wanted.
  reply.raw.once('close', () => {
    abort.abort();
    options.onDone?.({ ...file.served });
  });
  const body = Readable.from(file.read(start, end, abort.signal), { objectMode: false });
  body.once('error', (err) => {
    if (!abort.signal.aborted) request.log.error({ err, url: request.url }, 'archive read failed mid-response');
  });
  return reply.send(body);
}
