/**
 * What each elementary stream needs besides the recorded payload: for video,
 * the access unit delimiter and the parameter sets that MP4 keeps in the
 * sample description but a TS carries in-band; for AAC, the ADTS header
 * fields that MP4 keeps in the AudioSpecificConfig.
 */
import { VigilError } from '../../errors.js';
import { readAvcDecoderConfig } from '../../mp4/bitstream/avc.js';
import { BitReader } from '../../mp4/bitstream/bit-reader.js';
import { readHevcDecoderConfig } from '../../mp4/bitstream/hevc.js';
import type { AudioTrackConfig, VideoTrackConfig } from '../../mp4/types.js';
import { STREAM_TYPE_H264, STREAM_TYPE_H265 } from './ts-constants.js';

const START_CODE = [0, 0, 0, 1];
/** access_unit_delimiter_rbsp: primary_pic_type 7 (any slice type) + stop bit. */
const AVC_AUD = [0x09, 0xf0];
/** NAL type 35, layer 0, temporal id 1; pic_type 2 (I, P or B) + stop bit. */
const HEVC_AUD = [0x46, 0x01, 0x50];
const AVC_NAL_AUD = 9;
const HEVC_NAL_AUD = 35;
/** avcC byte 4 and hvcC byte 21 end in lengthSizeMinusOne. */
const AVCC_LENGTH_SIZE_BYTE = 4;
const HVCC_LENGTH_SIZE_BYTE = 21;

export interface VideoEsConfig {
  streamType: number;
  /** Bytes of each NAL unit's length prefix in the samples (3 or 4: a start code of the same size replaces it). */
  nalLengthBytes: 3 | 4;
  /** Written before every sample: an access unit delimiter. */
  framePrefix: Uint8Array;
  /** Written before a keyframe: the delimiter, then VPS/SPS/PPS from the decoder configuration. */
  keyframePrefix: Uint8Array;
  /** Whether a NAL unit (given its first header byte) is an access unit delimiter. */
  isAud: (firstHeaderByte: number) => boolean;
}

function withStartCodes(units: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const bytes: number[] = [];
  for (const u of units) bytes.push(...START_CODE, ...u);
  return Uint8Array.from(bytes);
}

export function videoEsConfig(track: VideoTrackConfig): VideoEsConfig {
  const record = track.decoderConfig;
  const h264 = track.codec === 'avc1';
  const lengthByte = record[h264 ? AVCC_LENGTH_SIZE_BYTE : HVCC_LENGTH_SIZE_BYTE];
  if (lengthByte === undefined) {
    throw new VigilError(
      'MEDIA_INVALID',
      `track ${track.trackId}: the ${track.codec} decoder configuration is truncated`,
    );
  }
  const nalLengthBytes = (lengthByte & 3) + 1;
  if (nalLengthBytes !== 3 && nalLengthBytes !== 4) {
    // A 1- or 2-byte length grows into a 3-byte start code, so the output size would depend on
    // the NAL count of every sample, which only reading the payload tells.
    throw new VigilError(
      'NOT_IMPLEMENTED',
      `track ${track.trackId}: MPEG-TS export needs NAL length fields of 3 or 4 bytes, this track has ${nalLengthBytes}; export .mp4 instead`,
    );
  }
  const aud = h264 ? AVC_AUD : HEVC_AUD;
  const parameterSets = h264
    ? (({ sps, pps }) => [...sps, ...pps])(readAvcDecoderConfig(record))
    : (({ vps, sps, pps }) => [...vps, ...sps, ...pps])(readHevcDecoderConfig(record));
  return {
    streamType: h264 ? STREAM_TYPE_H264 : STREAM_TYPE_H265,
    nalLengthBytes,
    framePrefix: withStartCodes([aud]),
    keyframePrefix: withStartCodes([aud, ...parameterSets]),
    isAud: h264 ? (b) => (b & 0x1f) === AVC_NAL_AUD : (b) => ((b >> 1) & 0x3f) === HEVC_NAL_AUD,
  };
}

export const ADTS_HEADER_BYTES = 7;
/** frame_length is 13 bits and counts the header. */
export const ADTS_MAX_FRAME_BYTES = 2 ** 13 - 1;
/** The sampling frequencies ADTS can name, by index (ISO/IEC 14496-3 Table 1.18). */
const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const AOT_ESCAPE = 31;
const AOT_SBR = 5;
const AOT_PS = 29;
const AOT_LC = 2;
/** ADTS's 2-bit profile is the object type minus one, so only types 1..4 fit. */
const ADTS_MAX_OBJECT_TYPE = 4;

export interface AdtsConfig {
  /** audio object type − 1 */
  profile: number;
  frequencyIndex: number;
  channelConfiguration: number;
}

/** The ADTS fields of an AAC track, read from its AudioSpecificConfig. */
export function adtsConfig(track: AudioTrackConfig): AdtsConfig {
  const r = new BitReader(track.decoderConfig, `track ${track.trackId} AudioSpecificConfig`);
  let objectType = r.bits(5);
  if (objectType === AOT_ESCAPE) objectType = 32 + r.bits(6);
  const frequencyIndex = r.bits(4);
  const channelConfiguration = r.bits(4);
  // HE-AAC (SBR, PS) is signalled implicitly in ADTS: the header names the AAC-LC core.
  if (objectType === AOT_SBR || objectType === AOT_PS) objectType = AOT_LC;
  const unsupported =
    objectType < 1 || objectType > ADTS_MAX_OBJECT_TYPE
      ? `audio object type ${objectType} (ADTS carries types 1 to 4)`
      : frequencyIndex >= ADTS_RATES.length
        ? 'an explicit sampling rate (ADTS carries only the 13 indexed rates)'
        : channelConfiguration === 0
          ? 'channel configuration 0 (ADTS would need a program config element)'
          : undefined;
  if (unsupported !== undefined) {
    throw new VigilError(
      'NOT_IMPLEMENTED',
      `track ${track.trackId}: MPEG-TS export cannot carry AAC with ${unsupported}; export .mp4 instead`,
    );
  }
  return { profile: objectType - 1, frequencyIndex, channelConfiguration };
}

/** A 7-byte ADTS header (no CRC) for a raw AAC frame of `rawBytes`. */
export function writeAdtsHeader(out: Uint8Array, at: number, config: AdtsConfig, rawBytes: number): void {
  const frameBytes = rawBytes + ADTS_HEADER_BYTES;
  // syncword 0xFFF, MPEG-4, layer 0, protection_absent 1
  out[at] = 0xff;
  out[at + 1] = 0xf1;
  out[at + 2] = (config.profile << 6) | (config.frequencyIndex << 2) | (config.channelConfiguration >> 2);
  out[at + 3] = ((config.channelConfiguration & 3) << 6) | (frameBytes >> 11);
  out[at + 4] = (frameBytes >> 3) & 0xff;
  // buffer fullness 0x7FF (variable rate), one raw data block
  out[at + 5] = ((frameBytes & 7) << 5) | 0x1f;
  out[at + 6] = 0xfc;
}
