import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVigilError } from '../errors.js';
import { makeTestClip } from '../../test/helpers/media-check.js';
import { startRtspCamera } from '../../test/helpers/rtsp-camera.js';
import { createMediaEngine } from './engine.js';
import type { MediaSource, SourcePacket } from './types.js';

const engine = createMediaEngine();
const timeouts = { openTimeoutMs: 10_000, readTimeoutMs: 5_000 };

async function take(source: MediaSource, count: number): Promise<SourcePacket[]> {
  const out: SourcePacket[] = [];
  for await (const packet of source.packets()) {
    out.push(packet);
    if (out.length >= count) break;
  }
  return out;
}

test('demo://clock is a live H.264 source that starts on a keyframe with parameter sets', async () => {
  const source = await engine.openSource('demo://clock', timeouts);
  try {
    assert.equal(source.tracks.length, 1);
    const [track] = source.tracks;
    assert.equal(track?.codec, 'h264');
    assert.equal(track?.width, 640);
    assert.ok((track?.extradata?.length ?? 0) > 0, 'extradata carries SPS/PPS');
    const packets = await take(source, 5);
    assert.equal(packets[0]?.isKeyframe, true);
    const dts = packets.map((p) => p.dts ?? -1);
    assert.deepEqual(
      [...dts].sort((a, b) => a - b),
      dts,
      'dts increases',
    );
  } finally {
    await source.close();
  }
});

test('an RTSP camera gives H.264 and G.711; G.711 transcodes to AAC; a camera that dies fails the read', async () => {
  const camera = await startRtspCamera();
  try {
    const source = await engine.openSource(camera.url, timeouts);
    try {
      assert.deepEqual(
        source.tracks.map((t) => t.codec),
        ['h264', 'pcm_mulaw'],
      );
      const audio = source.tracks[1];
      assert.ok(audio !== undefined);
      const transcoder = await engine.createAacTranscoder(audio);
      assert.deepEqual(transcoder.outputTrack.extradata, Uint8Array.of(0x15, 0x88));
      const aac: SourcePacket[] = [];
      let failure: unknown;
      try {
        for await (const packet of source.packets()) {
          if (packet.trackIndex === audio.index) aac.push(...(await transcoder.transcode(packet)));
          if (aac.length === 10) await camera.stop();
        }
      } catch (err) {
        failure = err;
      }
      transcoder.close();
      assert.ok(aac.length >= 10);
      assert.equal(aac[1]?.dts, (aac[0]?.dts ?? 0) + 1024);
      assert.ok(
        isVigilError(failure, 'SOURCE_FAILED') || isVigilError(failure, 'TIMEOUT'),
        `expected a source failure, got ${String(failure)}`,
      );
    } finally {
      await source.close();
    }
  } finally {
    await camera.stop();
  }
});

test('a file:// source reads as fast as possible and ends cleanly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-media-'));
  try {
    const file = join(dir, 'in.mp4');
    await makeTestClip(file, { seconds: 2, size: '160x120', audioRate: null });
    const source = await engine.openSource(`file://${file}`, { ...timeouts, realtime: false });
    try {
      const packets = await take(source, 1000);
      assert.equal(packets.length, 50);
    } finally {
      await source.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an aborted signal ends reading with CANCELED', async () => {
  const controller = new AbortController();
  const source = await engine.openSource('demo://clock', { ...timeouts, signal: controller.signal });
  try {
    await assert.rejects(
      (async () => {
        for await (const _packet of source.packets()) controller.abort();
      })(),
      (err: unknown) => isVigilError(err, 'CANCELED'),
    );
  } finally {
    await source.close();
  }
});
