import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interleaved } from '../../../test/helpers/rtp-packetizer.js';
import { Authenticator, parseChallenges, pickChallenge } from './auth.js';
import { RtspFraming, type RtspResponse } from './rtsp-framing.js';
import { planTracks, NativeRtspUnsupported } from './rtsp-tracks.js';
import { parseSdp, resolveControl } from './sdp.js';

const CAMERA_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=Session streamed with GStreamer',
  't=0 0',
  'a=control:*',
  'm=video 0 RTP/AVP 96',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:96 H264/90000',
  'a=framerate:25',
  'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LADdoFB+wFqDAwNSgAAAMACAAAAwGUeKFV,aM48gA==;profile-level-id=42c00d',
  'a=control:stream=0',
  'm=audio 0 RTP/AVP 0',
  'a=control:stream=1',
  'm=audio 0 RTP/AVP 97',
  'a=rtpmap:97 MPEG4-GENERIC/48000/2',
  'a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190',
  'a=control:rtsp://10.0.0.2/cam/trackID=3',
  'm=application 0 RTP/AVP 107',
  'a=rtpmap:107 vnd.onvif.metadata/90000',
  '',
].join('\r\n');

describe('SDP', () => {
  test('gives each media its encoding, clock, channels, fmtp and control', () => {
    const sdp = parseSdp(CAMERA_SDP);
    assert.equal(sdp.control, '*');
    assert.deepEqual(
      sdp.media.map((m) => [m.kind, m.payloadType, m.encoding, m.clockRate, m.channels, m.control]),
      [
        ['video', 96, 'H264', 90000, 1, 'stream=0'],
        ['audio', 0, 'PCMU', 8000, 1, 'stream=1'],
        ['audio', 97, 'MPEG4-GENERIC', 48000, 2, 'rtsp://10.0.0.2/cam/trackID=3'],
        ['other', 107, 'VND.ONVIF.METADATA', 90000, 1, undefined],
      ],
    );
    assert.equal(sdp.media[0]?.fmtp.get('sprop-parameter-sets'), 'Z0LADdoFB+wFqDAwNSgAAAMACAAAAwGUeKFV,aM48gA==');
    assert.equal(sdp.media[0]?.frameRate, 25);
    assert.equal(sdp.media[2]?.fmtp.get('config'), '1190');
  });

  test('plans H.264 with its parameter sets, G.711 and AAC, and leaves metadata out', () => {
    const plans = planTracks(parseSdp(CAMERA_SDP).media);
    assert.deepEqual(
      plans.map((p) => p.codec),
      ['h264', 'pcm_mulaw', 'aac'],
    );
    const video = plans[0];
    assert.ok(video?.kind === 'video');
    assert.deepEqual(
      video.spropSets.map((n) => n[0]! & 0x1f),
      [7, 8],
    );
  });

  test('an encoding without a depacketizer makes the source unsupported (FFmpeg then reads it)', () => {
    const sdp = parseSdp('v=0\r\nm=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\n');
    assert.throws(
      () => planTracks(sdp.media),
      (err) => err instanceof NativeRtspUnsupported && /JPEG/.test(err.message),
    );
  });

  test('control URLs: relative ones join the base with a slash; absolute and * stand', () => {
    assert.equal(resolveControl('rtsp://h/cam', 'stream=0'), 'rtsp://h/cam/stream=0');
    assert.equal(resolveControl('rtsp://h/cam/', 'stream=0'), 'rtsp://h/cam/stream=0');
    assert.equal(resolveControl('rtsp://h/cam', 'rtsp://x/t=1'), 'rtsp://x/t=1');
    assert.equal(resolveControl('rtsp://h/cam', '*'), 'rtsp://h/cam');
    assert.equal(resolveControl('rtsp://h/cam', undefined), 'rtsp://h/cam');
  });
});

describe('interleaved framing', () => {
  const sdp = 'v=0\r\n';
  const stream = Buffer.concat([
    Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`),
    ...Array.from({ length: 40 }, (_, i) => interleaved(i % 4, Buffer.alloc(1 + ((i * 97) % 1500), i))),
    Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: abc;timeout=60\r\n\r\n'),
    interleaved(1, Buffer.alloc(0)),
    interleaved(0, Buffer.alloc(70_000 % 65_536, 7)),
  ]);

  function parse(chunks: Buffer[]): { frames: string[]; responses: RtspResponse[] } {
    const frames: string[] = [];
    const responses: RtspResponse[] = [];
    const framing = new RtspFraming({
      frame: (channel, data, offset, length) => {
        const bytes = data.subarray(offset, offset + length);
        frames.push(`${channel}:${length}:${bytes.every((b) => b === bytes[0])}:${bytes[0] ?? ''}`);
      },
      response: (r) => responses.push(r),
    });
    for (const chunk of chunks) framing.push(chunk);
    return { frames, responses };
  }

  const whole = parse([stream]);

  test('reads responses and frames from one chunk', () => {
    assert.equal(whole.frames.length, 42);
    assert.deepEqual(
      whole.responses.map((r) => [r.status, r.headers.get('cseq')?.[0], r.body]),
      [
        [200, '3', sdp],
        [200, '4', ''],
      ],
    );
    assert.equal(whole.responses[1]?.headers.get('session')?.[0], 'abc;timeout=60');
  });

  test('reads the same from any split of the byte stream', () => {
    for (const size of [1, 2, 3, 5, 7, 64, 1000, 1499, 4096]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(Buffer.from(stream.subarray(at, at + size)));
      const split = parse(chunks);
      assert.deepEqual(split.frames, whole.frames, `chunks of ${size}`);
      assert.deepEqual(
        split.responses.map((r) => r.body),
        whole.responses.map((r) => r.body),
      );
    }
    // Random cuts.
    let seed = 7;
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length;) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const size = 1 + (seed % 3000);
      chunks.push(Buffer.from(stream.subarray(at, at + size)));
      at += size;
    }
    assert.deepEqual(parse(chunks).frames, whole.frames);
  });
});

describe('authentication', () => {
  test('Digest with qop=auth gives RFC 2617’s example response', () => {
    const challenge = pickChallenge(
      parseChallenges([
        'Basic realm="testrealm@host.com"',
        'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      ]),
    );
    assert.equal(challenge?.scheme, 'digest');
    const auth = new Authenticator({ username: 'Mufasa', password: 'Circle Of Life' }, challenge!, () => '0a4f113b');
    const header = auth.header('GET', '/dir/index.html');
    assert.match(header, /response="6629fae49393a05397450978507c4ef1"/);
    assert.match(header, /nc=00000001/);
    assert.match(header, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  });

  test('Digest without qop, and Basic', () => {
    const digest = new Authenticator(
      { username: 'admin', password: 'secret' },
      {
        scheme: 'digest',
        params: new Map([
          ['realm', 'cam'],
          ['nonce', 'abc'],
        ]),
      },
    );
    // MD5(MD5("admin:cam:secret"):abc:MD5("DESCRIBE:rtsp://h/cam"))
    assert.match(
      digest.header('DESCRIBE', 'rtsp://h/cam'),
      /^Digest username="admin", realm="cam", nonce="abc", uri="rtsp:\/\/h\/cam", response="[0-9a-f]{32}"$/,
    );
    const basic = new Authenticator({ username: 'admin', password: 'secret' }, { scheme: 'basic', params: new Map() });
    assert.equal(basic.header('DESCRIBE', 'rtsp://h/cam'), `Basic ${Buffer.from('admin:secret').toString('base64')}`);
  });
});
