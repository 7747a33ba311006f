/**
 * MPEG-TS numbers (ITU-T H.222.0 / ISO/IEC 13818-1) the muxer uses. Hex lives
 * here and nowhere else in the muxer.
 */

export const TS_PACKET_BYTES = 188;
export const TS_HEADER_BYTES = 4;
/** Payload room of a packet without an adaptation field. */
export const TS_PAYLOAD_BYTES = TS_PACKET_BYTES - TS_HEADER_BYTES;
export const TS_SYNC_BYTE = 0x47;

export const PID_PAT = 0x0000;
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x0100;
export const PID_AUDIO = 0x0101;
/** Highest PID bits that fit the 13-bit field. */
export const PID_MASK = 0x1fff;
export const PROGRAM_NUMBER = 1;
export const TRANSPORT_STREAM_ID = 1;

/** Header byte 1: payload_unit_start_indicator, set on a packet that starts a PES or a section. */
export const PAYLOAD_UNIT_START = 0x40;
/** Header byte 3, adaptation_field_control (bits 5..4). */
export const AFC_PAYLOAD_ONLY = 0x10;
export const AFC_ADAPTATION_AND_PAYLOAD = 0x30;
export const CC_MASK = 0x0f;

/** Adaptation field flags byte. */
export const AF_RANDOM_ACCESS = 0x40;
export const AF_PCR = 0x10;
/** adaptation_field_length + flags + 6 PCR bytes. */
export const AF_WITH_PCR_BYTES = 8;
export const STUFFING_BYTE = 0xff;

export const TABLE_ID_PAT = 0x00;
export const TABLE_ID_PMT = 0x02;
/** section_syntax_indicator = 1, '0', two reserved bits, over the top 4 bits of section_length. */
export const SECTION_SYNTAX_AND_RESERVED = 0xb0;
/** Two reserved bits, version_number 0, current_next_indicator 1. */
export const VERSION_0_CURRENT = 0xc1;
/** Three reserved bits over the top of a 13-bit PID field. */
export const RESERVED_3_BITS = 0xe0;
/** Four reserved bits over the top of a 12-bit length field. */
export const RESERVED_4_BITS = 0xf0;

export const STREAM_TYPE_AAC_ADTS = 0x0f;
export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_H265 = 0x24;

export const STREAM_ID_AUDIO = 0xc0;
export const STREAM_ID_VIDEO = 0xe0;
/** '10' marker, data_alignment_indicator (the PES starts with an access unit). */
export const PES_FLAGS_ALIGNED = 0x84;
export const PES_PTS_ONLY = 0x80;
export const PES_PTS_AND_DTS = 0xc0;
/** 4-bit prefixes of the 5-byte timestamp fields. */
export const TIMESTAMP_PREFIX_PTS_ONLY = 0x2;
export const TIMESTAMP_PREFIX_PTS = 0x3;
export const TIMESTAMP_PREFIX_DTS = 0x1;
/** start code (3) + stream_id + PES_packet_length (2) + flags (2) + PES_header_data_length. */
export const PES_FIXED_HEADER_BYTES = 9;
export const TIMESTAMP_BYTES = 5;
/** PES_packet_length counts from after its own field. */
export const PES_LENGTH_FIELD_END = 6;
export const PES_LENGTH_MAX = 0xffff;

/** PTS, DTS and PCR base are 33-bit counts of a 90 kHz clock. */
export const CLOCK_HZ = 90_000;
export const TIMESTAMP_MODULO = 2 ** 33;
