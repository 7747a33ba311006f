/**
 * One RTSP-over-TCP byte stream → RTSP responses and interleaved `$` frames
 * (RFC 2326 §10.12, RFC 7826 §14). Pure and copy-averse: a frame that lies
 * whole in a chunk is handed on as (chunk, offset, length), without a copy;
 * only a frame split across chunks is assembled, in a buffer kept for that.
 * Chunks may be one reused read buffer, so a frame is valid only during the
 * `frame` call: receivers copy what they keep.
 */
import { VigilError } from '../../errors.js';

export interface RtspResponse {
  status: number;
  reason: string;
  /** Header values by lower-cased name; repeated headers keep every value. */
  headers: Map<string, string[]>;
  body: string;
}

export interface FramingSink {
  /** One interleaved frame: `length` bytes of `data` from `offset`. */
  frame(channel: number, data: Buffer, offset: number, length: number): void;
  response(response: RtspResponse): void;
}

const DOLLAR = 0x24;
const HEADER_END = Buffer.from('\r\n\r\n');
/** A text message (headers plus SDP) larger than this is not RTSP. */
const MAX_MESSAGE_BYTES = 256 * 1024;

export class RtspFraming {
  /** Undecided bytes from the end of the last chunk (a partial header or message). */
  private tail: Buffer | undefined;
  /** A frame whose start has arrived: its channel, length and how much of `partialData` is filled. */
  private partial: { channel: number; length: number; filled: number } | undefined;
  private readonly partialData = Buffer.allocUnsafeSlow(0xffff);

  constructor(private readonly sink: FramingSink) {}

  /** The bytes input[0, length) (the whole input by default). */
  push(input: Buffer, length = input.length): void {
    let chunk = input;
    let end = length;
    let pos = 0;
    const partial = this.partial;
    if (partial !== undefined) {
      const n = Math.min(partial.length - partial.filled, end);
      chunk.copy(this.partialData, partial.filled, 0, n);
      partial.filled += n;
      pos = n;
      if (partial.filled < partial.length) return;
      this.partial = undefined;
      this.sink.frame(partial.channel, this.partialData, 0, partial.length);
    }
    if (this.tail !== undefined) {
      chunk = Buffer.concat([this.tail, chunk.subarray(pos, end)]);
      this.tail = undefined;
      pos = 0;
      end = chunk.length;
    }
    while (pos < end) {
      if (chunk[pos] === DOLLAR) {
        if (end - pos < 4) break;
        const channel = chunk[pos + 1]!;
        const length = chunk.readUInt16BE(pos + 2);
        const start = pos + 4;
        if (start + length <= end) {
          this.sink.frame(channel, chunk, start, length);
          pos = start + length;
          continue;
        }
        chunk.copy(this.partialData, 0, start, end);
        this.partial = { channel, length, filled: end - start };
        return;
      }
      const next = this.message(chunk, pos, end);
      if (next === undefined) break;
      pos = next;
    }
    if (pos < end) {
      if (end - pos > MAX_MESSAGE_BYTES) {
        throw new VigilError('SOURCE_FAILED', `rtsp: a message of over ${MAX_MESSAGE_BYTES} bytes without an end`);
      }
      // A copy: the chunk may be a read buffer that the next read overwrites.
      this.tail = Buffer.from(chunk.subarray(pos, end));
    }
  }

  /** Parses one text message at `pos`; returns the position after it, or undefined when it is incomplete. */
  private message(chunk: Buffer, pos: number, end: number): number | undefined {
    if (!isTextStart(chunk[pos]!)) {
      // Garbage between messages (a server's stray byte): resynchronize on the next frame.
      const next = chunk.indexOf(DOLLAR, pos);
      return next < 0 || next >= end ? end : next;
    }
    const headerEnd = chunk.indexOf(HEADER_END, pos);
    if (headerEnd < 0 || headerEnd + HEADER_END.length > end) return undefined;
    const lines = chunk.toString('latin1', pos, headerEnd).split('\r\n');
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const values = headers.get(name) ?? [];
      values.push(line.slice(colon + 1).trim());
      headers.set(name, values);
    }
    const bodyLength = Number(headers.get('content-length')?.[0] ?? 0) || 0;
    const bodyStart = headerEnd + HEADER_END.length;
    if (bodyStart + bodyLength > end) return undefined;
    const body = chunk.toString('utf8', bodyStart, bodyStart + bodyLength);
    const status = /^RTSP\/\d\.\d\s+(\d{3})\s*(.*)$/.exec(lines[0] ?? '');
    // A request from the server (ANNOUNCE, GET_PARAMETER) is skipped: nothing Vigil needs comes that way.
    if (status !== null) {
      this.sink.response({ status: Number(status[1]), reason: status[2] ?? '', headers, body });
    }
    return bodyStart + bodyLength;
  }
}

/** 'R' of `RTSP/1.0` or the capital first letter of a method. */
function isTextStart(byte: number): boolean {
  return byte >= 0x41 && byte <= 0x5a;
}
