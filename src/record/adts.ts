/**
 * AAC in MPEG-TS (HTTP, SRT sources) comes as ADTS frames and without an
 * AudioSpecificConfig. MP4 wants raw frames plus that config: the header of
 * each frame is dropped, and the config is built from the stream's rate and
 * channels. Pure.
 */
import { buildAudioSpecificConfig } from '../mp4/bitstream/aac.js';

const ADTS_HEADER_BYTES = 7;
const ADTS_CRC_BYTES = 2;

/** Whether `data` starts with an ADTS sync word (12 one bits, layer 0). */
export function isAdtsFrame(data: Uint8Array): boolean {
  return data.length >= ADTS_HEADER_BYTES && data[0] === 0xff && (data[1]! & 0xf6) === 0xf0;
}

/** The raw AAC frame inside an ADTS frame, as a view; `data` itself when it is not ADTS. */
export function stripAdtsHeader(data: Uint8Array): Uint8Array {
  if (!isAdtsFrame(data)) return data;
  const protectionAbsent = (data[1]! & 1) === 1;
  const headerBytes = ADTS_HEADER_BYTES + (protectionAbsent ? 0 : ADTS_CRC_BYTES);
  return data.length > headerBytes ? data.subarray(headerBytes) : data;
}

/**
 * The AudioSpecificConfig of an AAC track that has none (ADTS): AAC-LC at the
 * track's rate and channels. ADTS cannot signal more than the four first
 * object types, and HE-AAC in ADTS is signalled implicitly as LC, so LC is
 * what ADTS streams carry in practice.
 */
export function adtsAudioSpecificConfig(sampleRate: number, channelCount: number): Uint8Array {
  return buildAudioSpecificConfig({ sampleRate, channelCount });
}
