/** Track layouts as JSON text for the index: the decoder config bytes travel as base64. */
import type { TrackConfig } from '../../mp4/types.js';

type StoredTrack = Omit<TrackConfig, 'decoderConfig'> & { decoderConfig: string };

export function tracksToJson(tracks: TrackConfig[]): string {
  const stored = tracks.map((t) => ({ ...t, decoderConfig: Buffer.from(t.decoderConfig).toString('base64') }));
  return JSON.stringify(stored);
}

export function tracksFromJson(json: string): TrackConfig[] {
  const stored = JSON.parse(json) as StoredTrack[];
  return stored.map(
    (t) => ({ ...t, decoderConfig: new Uint8Array(Buffer.from(t.decoderConfig, 'base64')) }) as TrackConfig,
  );
}
