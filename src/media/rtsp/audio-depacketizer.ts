/** RTP packets of one audio track → audio frames with their timestamps (in the track's clock). */
export type AudioFrameSink = (pts: number, data: Uint8Array, duration: number) => void;

export interface AudioDepacketizer {
  push(data: Buffer, offset: number, length: number, ticks: number, marker: boolean, lost: boolean): void;
}
