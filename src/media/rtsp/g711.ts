/** G.711 µ-law/A-law over RTP (RFC 3551 §4.5.14): one byte per sample and channel. */
import type { AudioDepacketizer, AudioFrameSink } from './audio-depacketizer.js';

export class G711Depacketizer implements AudioDepacketizer {
  constructor(
    private readonly channels: number,
    private readonly sink: AudioFrameSink,
  ) {}

  push(data: Buffer, offset: number, length: number, ticks: number): void {
    if (length === 0) return;
    // A copy: a view would keep the whole socket chunk alive until the fragment is written.
    this.sink(ticks, new Uint8Array(data.subarray(offset, offset + length)), Math.floor(length / this.channels));
  }
}
