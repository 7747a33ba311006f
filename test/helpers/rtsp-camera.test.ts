import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRtspCamera } from './rtsp-camera.js';

const run = promisify(execFile);

test('the RTSP camera serves H.264 video and G.711 audio that ffprobe reads', async () => {
  const camera = await startRtspCamera();
  try {
    const { stdout } = await run(
      'ffprobe',
      ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', camera.url],
      { timeout: 20_000 },
    );
    assert.deepEqual(stdout.trim().split('\n'), ['h264', 'pcm_mulaw']);
  } finally {
    await camera.stop();
  }
});
