import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { createMediaEngine } from '../engine.js';
import { wantsNativeRtsp } from './select.js';

describe('choosing the native RTSP client', () => {
  test('rtsp:// over TCP by default; FFmpeg when the options or VIGIL_RTSP_CLIENT ask for it, and for UDP, rtsps and others', () => {
    const url = 'rtsp://cam/stream';
    assert.equal(wantsNativeRtsp(url, {}, {}), true, 'native is the default');
    assert.equal(wantsNativeRtsp(url, {}, { VIGIL_RTSP_CLIENT: 'ffmpeg' }), false);
    assert.equal(wantsNativeRtsp(url, { rtspClient: 'native' }, {}), true);
    assert.equal(wantsNativeRtsp(url, {}, { VIGIL_RTSP_CLIENT: 'native' }), true);
    assert.equal(wantsNativeRtsp(url, { rtspClient: 'ffmpeg' }, { VIGIL_RTSP_CLIENT: 'native' }), false);
    assert.equal(wantsNativeRtsp(url, { rtspClient: 'native', rtspTransport: 'udp' }, {}), false);
    assert.equal(wantsNativeRtsp('rtsps://cam/stream', { rtspClient: 'native' }, {}), false);
    assert.equal(wantsNativeRtsp('rtmp://cam/live', { rtspClient: 'native' }, {}), false);
  });

  test('an SDP the native client cannot depacketize falls back to FFmpeg, saying why', async () => {
    // A camera that offers Motion JPEG only.
    const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\na=control:stream=0\r\n';
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => {
        const cseq = /CSeq: (\d+)/.exec(chunk.toString())?.[1] ?? '0';
        const isDescribe = chunk.toString().startsWith('DESCRIBE');
        const body = isDescribe ? sdp : '';
        const extra = isDescribe ? 'Content-Type: application/sdp\r\n' : 'Public: OPTIONS, DESCRIBE, SETUP, PLAY\r\n';
        socket.write(
          `RTSP/1.0 ${isDescribe || chunk.toString().startsWith('OPTIONS') ? '200 OK' : '454 Session Not Found'}\r\nCSeq: ${cseq}\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`,
        );
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const warnings: string[] = [];
    const engine = createMediaEngine({ warn: (m) => warnings.push(m) });
    try {
      await engine
        .openSource(`rtsp://127.0.0.1:${port}/cam`, {
          openTimeoutMs: 5_000,
          readTimeoutMs: 5_000,
          rtspClient: 'native',
        })
        .then((s) => s.close())
        .catch(() => undefined); // What FFmpeg makes of this fake camera does not matter here.
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /"JPEG"|payload type 26/);
      assert.match(warnings[0]!, /FFmpeg instead/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((done) => server.close(done));
      await engine.close();
    }
  });
});
