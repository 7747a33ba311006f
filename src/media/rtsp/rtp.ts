/** RTP fixed header (RFC 3550 §5.1), read into a reused object: no allocation per packet. Pure. */

export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequence: number;
  /** 32-bit RTP timestamp, unsigned. */
  timestamp: number;
  ssrc: number;
  /** Where the payload starts and how long it is, padding removed. */
  payloadOffset: number;
  payloadLength: number;
}

export function newRtpHeader(): RtpHeader {
  return { marker: false, payloadType: 0, sequence: 0, timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0 };
}

/** Fills `out` from the packet at data[offset, offset+length); false when it is not RTP version 2 or is truncated. */
export function readRtpHeader(data: Buffer, offset: number, length: number, out: RtpHeader): boolean {
  if (length < 12) return false;
  const b0 = data[offset]!;
  if (b0 >> 6 !== 2) return false;
  const csrcCount = b0 & 0x0f;
  let start = offset + 12 + csrcCount * 4;
  const end = offset + length;
  if ((b0 & 0x10) !== 0) {
    // Header extension: 16-bit profile field, 16-bit length in 32-bit words.
    if (start + 4 > end) return false;
    start += 4 + data.readUInt16BE(start + 2) * 4;
  }
  let payloadEnd = end;
  if ((b0 & 0x20) !== 0) payloadEnd -= data[end - 1]!;
  if (start > payloadEnd) return false;
  const b1 = data[offset + 1]!;
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequence = data.readUInt16BE(offset + 2);
  out.timestamp = data.readUInt32BE(offset + 4);
  out.ssrc = data.readUInt32BE(offset + 8);
  out.payloadOffset = start;
  out.payloadLength = payloadEnd - start;
  return true;
}
