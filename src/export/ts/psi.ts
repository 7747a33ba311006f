/**
 * Program tables: one PAT naming one program, one PMT listing its elementary
 * streams. Both fit one packet each; only the continuity counter changes
 * between repeats, so the sections are built once per file.
 */
import { crc32Mpeg2 } from './crc32-mpeg2.js';
import {
  CC_MASK,
  PAYLOAD_UNIT_START,
  PID_MASK,
  PID_PAT,
  PID_PMT,
  PROGRAM_NUMBER,
  RESERVED_3_BITS,
  RESERVED_4_BITS,
  SECTION_SYNTAX_AND_RESERVED,
  STUFFING_BYTE,
  TABLE_ID_PAT,
  TABLE_ID_PMT,
  TRANSPORT_STREAM_ID,
  AFC_PAYLOAD_ONLY,
  TS_PACKET_BYTES,
  TS_SYNC_BYTE,
  VERSION_0_CURRENT,
} from './ts-constants.js';

export interface ElementaryStream {
  streamType: number;
  pid: number;
}

/** The PAT and the PMT, as sections (pointer_field not included). */
export interface ProgramTables {
  pat: Uint8Array;
  pmt: Uint8Array;
}

/** Bytes from after section_length up to the CRC, for section_length itself. */
const CRC_BYTES = 4;

/** Appends the CRC and fills in section_length (the 12 bits after table_id). */
function finishSection(body: number[]): Uint8Array {
  const sectionLength = body.length - 3 + CRC_BYTES;
  body[1] = SECTION_SYNTAX_AND_RESERVED | (sectionLength >> 8);
  body[2] = sectionLength & 0xff;
  const out = new Uint8Array(body.length + CRC_BYTES);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32Mpeg2(out.subarray(0, body.length)));
  return out;
}

function pidBytes(pid: number): [number, number] {
  return [RESERVED_3_BITS | ((pid & PID_MASK) >> 8), pid & 0xff];
}

export function buildProgramTables(streams: readonly ElementaryStream[], pcrPid: number): ProgramTables {
  const pat = finishSection([
    TABLE_ID_PAT,
    0,
    0,
    TRANSPORT_STREAM_ID >> 8,
    TRANSPORT_STREAM_ID & 0xff,
    VERSION_0_CURRENT,
    0, // section_number
    0, // last_section_number
    PROGRAM_NUMBER >> 8,
    PROGRAM_NUMBER & 0xff,
    ...pidBytes(PID_PMT),
  ]);
  const pmt: number[] = [
    TABLE_ID_PMT,
    0,
    0,
    PROGRAM_NUMBER >> 8,
    PROGRAM_NUMBER & 0xff,
    VERSION_0_CURRENT,
    0,
    0,
    ...pidBytes(pcrPid),
    RESERVED_4_BITS, // program_info_length 0
    0,
  ];
  for (const s of streams) pmt.push(s.streamType, ...pidBytes(s.pid), RESERVED_4_BITS, 0);
  return { pat, pmt: finishSection(pmt) };
}

/** Bytes the PAT and PMT packets take each time they are sent. */
export const PSI_BYTES = 2 * TS_PACKET_BYTES;

/** Writes the PAT packet then the PMT packet at `pos`; `cc` is their (shared) continuity counter. */
export function writeProgramTables(out: Uint8Array, pos: number, tables: ProgramTables, cc: number): void {
  writeSectionPacket(out, pos, PID_PAT, tables.pat, cc);
  writeSectionPacket(out, pos + TS_PACKET_BYTES, PID_PMT, tables.pmt, cc);
}

function writeSectionPacket(out: Uint8Array, pos: number, pid: number, section: Uint8Array, cc: number): void {
  out[pos] = TS_SYNC_BYTE;
  out[pos + 1] = PAYLOAD_UNIT_START | (pid >> 8);
  out[pos + 2] = pid & 0xff;
  out[pos + 3] = AFC_PAYLOAD_ONLY | (cc & CC_MASK);
  out[pos + 4] = 0; // pointer_field: the section starts right here
  out.set(section, pos + 5);
  out.fill(STUFFING_BYTE, pos + 5 + section.length, pos + TS_PACKET_BYTES);
}
