/**
 * CRC-32/MPEG-2 over PSI sections: polynomial 0x04C11DB7, MSB first, initial
 * value all ones, no final XOR (H.222.0 Annex A).
 */
const POLYNOMIAL = 0x04c11db7;

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ POLYNOMIAL : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
}

export function crc32Mpeg2(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc >>> 0;
}
