import { readAudioSpecificConfig } from './bitstream/aac.js';
import { readHevcDecoderConfig } from './bitstream/hevc.js';
import type { TrackConfig } from './types.js';

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}

/** Reverses the 32 bits of a number: hvcC stores compatibility flag 0 first, RFC 6381 wants it last. */
function reverseBits32(v: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) out = out * 2 + (Math.floor(v / 2 ** i) % 2);
  return out;
}

/** The RFC 6381 codec string of a track (`avc1.64001f`, `hvc1.1.6.L93.B0`, `mp4a.40.2`, `ulaw`). */
export function codecString(track: TrackConfig): string {
  switch (track.codec) {
    case 'avc1': {
      const c = track.decoderConfig;
      return `avc1.${hex2(c[1] ?? 0)}${hex2(c[2] ?? 0)}${hex2(c[3] ?? 0)}`;
    }
    case 'hvc1':
    case 'hev1': {
      // ISO/IEC 14496-15 Annex E: profile space letter + idc, compatibility, tier + level, constraints.
      const p = readHevcDecoderConfig(track.decoderConfig);
      const space = ['', 'A', 'B', 'C'][p.profileSpace] ?? '';
      const constraints = [...p.constraintIndicatorFlags];
      while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
      return [
        track.codec,
        `${space}${p.profileIdc}`,
        reverseBits32(p.profileCompatibilityFlags).toString(16),
        `${p.tierFlag === 1 ? 'H' : 'L'}${p.levelIdc}`,
        ...constraints.map((b) => b.toString(16).toUpperCase()),
      ].join('.');
    }
    case 'mp4a': {
      const objectType = track.decoderConfig.length >= 2 ? readAudioSpecificConfig(track.decoderConfig).objectType : 2;
      return `mp4a.40.${objectType}`;
    }
    case 'ulaw':
    case 'alaw':
      return track.codec;
  }
}
