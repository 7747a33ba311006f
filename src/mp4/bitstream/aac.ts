import { VigilError } from '../../errors.js';
import { BitReader } from './bit-reader.js';

/** AAC Low Complexity, the audio object type browsers and cameras use. */
export const AAC_LC = 2;
/** An object type of 31 says the real one follows in 6 more bits (escape). */
const AOT_ESCAPE = 31;
/** A frequency index of 15 says the rate follows as 24 explicit bits. */
const FREQUENCY_EXPLICIT = 15;
/** ISO/IEC 14496-3 Table 1.18, samplingFrequencyIndex 0..12. */
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export interface AudioSpecificConfigFields {
  sampleRate: number;
  channelCount: number;
  objectType?: number;
}

/** A two-byte (or five-byte, for unusual rates) AudioSpecificConfig with a plain GASpecificConfig. */
export function buildAudioSpecificConfig({
  sampleRate,
  channelCount,
  objectType = AAC_LC,
}: AudioSpecificConfigFields): Uint8Array {
  if (objectType < 1 || objectType >= AOT_ESCAPE) {
    throw new VigilError('INVALID_ARGUMENT', `objectType: ${objectType} is not an audio object type below 31`);
  }
  if (channelCount < 1 || channelCount > 8 || channelCount === 7) {
    throw new VigilError('INVALID_ARGUMENT', `channelCount: ${channelCount} has no AAC channel configuration`);
  }
  const index = SAMPLE_RATES.indexOf(sampleRate);
  const fields: Array<[number, number]> = [[objectType, 5]];
  if (index >= 0) fields.push([index, 4]);
  else fields.push([FREQUENCY_EXPLICIT, 4], [sampleRate, 24]);
  // channelConfiguration 7 means 8 channels (7.1); 1..6 are themselves.
  fields.push([channelCount === 8 ? 7 : channelCount, 4]);
  fields.push([0, 3]); // frameLengthFlag, dependsOnCoreCoder, extensionFlag
  let totalBits = 0;
  for (const [, n] of fields) totalBits += n;
  const out = new Uint8Array(Math.ceil(totalBits / 8));
  let bitPos = 0;
  for (const [value, n] of fields) {
    for (let i = n - 1; i >= 0; i--) {
      if (Math.floor(value / 2 ** i) % 2 === 1) out[bitPos >> 3]! |= 128 >> (bitPos & 7);
      bitPos++;
    }
  }
  return out;
}

/** The object type, rate and channels an AudioSpecificConfig declares. */
export function readAudioSpecificConfig(asc: Uint8Array): Required<AudioSpecificConfigFields> {
  const r = new BitReader(asc, 'AudioSpecificConfig');
  let objectType = r.bits(5);
  if (objectType === AOT_ESCAPE) objectType = 32 + r.bits(6);
  const index = r.bits(4);
  const sampleRate = index === FREQUENCY_EXPLICIT ? r.bits(24) : (SAMPLE_RATES[index] ?? 0);
  const config = r.bits(4);
  return { objectType, sampleRate, channelCount: config === 7 ? 8 : config };
}
