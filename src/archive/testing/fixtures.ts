/** Test fixtures for archive tests: temp dirs, track layouts, stream definitions. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamDefinition } from '../../config/stream-types.js';
import type { TrackConfig } from '../../mp4/types.js';

export async function makeTempDir(prefix = 'vigil-archive-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const videoTrack: TrackConfig = {
  kind: 'video',
  trackId: 1,
  timescale: 90_000,
  codec: 'avc1',
  width: 1280,
  height: 720,
  decoderConfig: new Uint8Array([1, 0x64, 0, 0x1f, 0xff, 0xe1]),
};

export const audioTrack: TrackConfig = {
  kind: 'audio',
  trackId: 2,
  timescale: 48_000,
  codec: 'mp4a',
  sampleRate: 48_000,
  channelCount: 2,
  decoderConfig: new Uint8Array([0x11, 0x90]),
};

export function streamDefinition(name: string, dvr: Partial<StreamDefinition['dvr']> = {}): StreamDefinition {
  return {
    name,
    url: `rtsp://camera.local/${name}`,
    substreamUrl: undefined,
    title: name,
    flip: 'none',
    rotate: 0,
    audio: 'transcode',
    rtspTransport: 'tcp',
    enabled: true,
    dvr: { root: undefined, expirationSeconds: undefined, diskLimitBytes: undefined, ...dvr },
  };
}
