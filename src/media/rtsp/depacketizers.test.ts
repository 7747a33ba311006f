import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestClip } from '../../../test/helpers/media-check.js';
import { readAccessUnits, rtpPacket, videoPayloads, type VideoCodec } from '../../../test/helpers/rtp-packetizer.js';
import { joinLengthPrefixed } from '../../mp4/bitstream/annex-b.js';
import { toVideoDecoderConfig } from '../../mp4/index.js';
import { AacDepacketizer, aacFormatOf } from './aac.js';
import { G711Depacketizer } from './g711.js';
import { h264PayloadFormat } from './h264.js';
import { h265PayloadFormat } from './h265.js';
import { newRtpHeader, readRtpHeader } from './rtp.js';
import { VideoDepacketizer } from './video-depacketizer.js';

interface Unit {
  pts: number;
  data: Buffer;
  isKeyframe: boolean;
  newRecord: Uint8Array | undefined;
}

const FRAME_TICKS = 3600;
let dir: string;
const clips = new Map<VideoCodec, Uint8Array[][]>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rtp-'));
  // Real NAL units from the independent encoder, with B-frames (the benchmark's kind of stream).
  for (const [codec, encoder, file] of [
    ['h264', 'libx264', 'clip.h264'],
    ['h265', 'libx265', 'clip.hevc'],
  ] as const) {
    const path = join(dir, file);
    await makeTestClip(path, { seconds: 2, audioRate: null, videoCodec: encoder, outputArgs: ['-bf', '3'] });
    clips.set(codec, readAccessUnits(path, codec));
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Packetizes every access unit (timestamp per unit, marker on its last packet) and depacketizes it back. */
function roundTrip(
  codec: VideoCodec,
  units: Uint8Array[][],
  mtu: number,
  aggregate: boolean,
  alter: (packets: Buffer[]) => Buffer[] = (p) => p,
): { out: Unit[]; depacketizer: VideoDepacketizer } {
  const out: Unit[] = [];
  const format = codec === 'h264' ? h264PayloadFormat : h265PayloadFormat;
  const depacketizer = new VideoDepacketizer(format, [], (pts, data, isKeyframe, newRecord) =>
    out.push({ pts, data, isKeyframe, newRecord }),
  );
  let sequence = 65_500; // wraps during the clip
  const packets: Buffer[] = [];
  for (const [i, nals] of units.entries()) {
    const payloads = videoPayloads(codec, nals, mtu, aggregate);
    for (const [j, payload] of payloads.entries()) {
      const marker = j === payloads.length - 1;
      packets.push(rtpPacket({ payloadType: 96, sequence: sequence++, timestamp: i * FRAME_TICKS, marker }, payload));
    }
  }
  const header = newRtpHeader();
  let expected: number | undefined;
  for (const packet of alter(packets)) {
    assert.ok(readRtpHeader(packet, 0, packet.length, header));
    const lost = expected !== undefined && header.sequence !== expected;
    expected = (header.sequence + 1) & 0xffff;
    depacketizer.push(packet, header.payloadOffset, header.payloadLength, header.timestamp, header.marker, lost);
  }
  return { out, depacketizer };
}

function isKeyframe(codec: VideoCodec, nals: Uint8Array[]): boolean {
  return nals.some((n) =>
    codec === 'h264' ? (n[0]! & 0x1f) === 5 : ((n[0]! >> 1) & 0x3f) >= 16 && ((n[0]! >> 1) & 0x3f) <= 23,
  );
}

for (const codec of ['h264', 'h265'] as const) {
  describe(`${codec} depacketizer`, () => {
    for (const [mode, mtu, aggregate] of [
      ['single NAL units and fragments', 1400, false],
      ['aggregation packets and fragments', 1400, true],
      ['small packets: almost everything fragmented', 60, true],
    ] as const) {
      test(`gives back each access unit length-prefixed, byte for byte: ${mode}`, () => {
        const units = clips.get(codec)!;
        assert.ok(units.length >= 50, `${units.length} access units in the clip`);
        const { out } = roundTrip(codec, units, mtu, aggregate);
        assert.equal(out.length, units.length);
        for (const [i, unit] of out.entries()) {
          assert.deepEqual(new Uint8Array(unit.data), joinLengthPrefixed(units[i]!), `access unit ${i}`);
          assert.equal(unit.pts, i * FRAME_TICKS);
          assert.equal(unit.isKeyframe, isKeyframe(codec, units[i]!), `keyframe flag of ${i}`);
        }
      });
    }

    test('learns the parameter sets in-band and reports them once as a decoder record', () => {
      const units = clips.get(codec)!;
      const { out, depacketizer } = roundTrip(codec, units, 1400, true);
      const expected = toVideoDecoderConfig(
        codec === 'h264' ? 'h264' : 'hevc',
        undefined,
        joinLengthPrefixed(units[0]!),
      );
      assert.ok(expected !== undefined);
      assert.deepEqual(depacketizer.record, expected.decoderConfig);
      assert.deepEqual(out[0]?.newRecord, expected.decoderConfig);
      assert.equal(
        out.slice(1).filter((u) => u.newRecord !== undefined).length,
        0,
        'repeated identical parameter sets are no change',
      );
    });

    test('an access unit whose marker was lost ends at the next timestamp', () => {
      const units = clips.get(codec)!;
      const { out } = roundTrip(codec, units, 1400, false, (packets) =>
        packets.map((p) => {
          const copy = Buffer.from(p);
          copy[1] = copy[1]! & 0x7f;
          return copy;
        }),
      );
      // The last one waits for a next timestamp that never comes.
      assert.equal(out.length, units.length - 1);
      assert.deepEqual(new Uint8Array(out[3]!.data), joinLengthPrefixed(units[3]!));
    });

    test('a lost fragment drops that NAL unit only', () => {
      const units = clips.get(codec)!;
      let dropped = -1;
      const { out } = roundTrip(codec, units, 200, false, (packets) => {
        // A middle fragment of the first keyframe's slice.
        const fuType = codec === 'h264' ? 28 : 49;
        dropped = packets.findIndex(
          (p, i) =>
            i > 0 &&
            (codec === 'h264' ? p[12]! & 0x1f : (p[12]! >> 1) & 0x3f) === fuType &&
            (p[12 + (codec === 'h264' ? 1 : 2)]! & 0xc0) === 0,
        );
        return packets.filter((_, i) => i !== dropped);
      });
      assert.ok(dropped > 0);
      assert.equal(out.length, units.length);
      const first = splitAnnexBLike(out[0]!.data);
      assert.equal(first.length, units[0]!.length - 1, 'the broken slice is left out');
      assert.deepEqual(new Uint8Array(out[1]!.data), joinLengthPrefixed(units[1]!));
    });
  });
}

function splitAnnexBLike(lengthPrefixed: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < lengthPrefixed.length;) {
    const size = lengthPrefixed.readUInt32BE(at);
    out.push(lengthPrefixed.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return out;
}

describe('audio depacketizers', () => {
  test('G.711: one frame per packet, a sample per byte', () => {
    const frames: Array<{ pts: number; data: Uint8Array; duration: number }> = [];
    const g711 = new G711Depacketizer(1, (pts, data, duration) => frames.push({ pts, data, duration }));
    const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => i));
    const packet = rtpPacket({ payloadType: 0, sequence: 1, timestamp: 8000, marker: false }, payload);
    g711.push(packet, 12, 160, 320);
    assert.deepEqual(
      frames.map((f) => ({ ...f, data: new Uint8Array(f.data) })),
      [{ pts: 320, data: new Uint8Array(payload), duration: 160 }],
    );
  });

  test('AAC (mpeg4-generic AAC-hbr): several AUs per packet, and one AU fragmented over packets', async () => {
    const format = aacFormatOf(
      new Map([
        ['mode', 'AAC-hbr'],
        ['sizelength', '13'],
        ['indexlength', '3'],
        ['indexdeltalength', '3'],
        ['config', '1190'],
      ]),
    );
    assert.deepEqual(format.config, Uint8Array.of(0x11, 0x90));
    const frames: Array<{ pts: number; data: Uint8Array }> = [];
    const aac = new AacDepacketizer(format, (pts, data) => frames.push({ pts, data }));
    const aus = [Buffer.alloc(200, 1), Buffer.alloc(300, 2), Buffer.alloc(250, 3)];
    const headers = Buffer.alloc(2 + 2 * aus.length);
    headers.writeUInt16BE(16 * aus.length, 0);
    aus.forEach((au, i) => headers.writeUInt16BE(au.length << 3, 2 + 2 * i));
    const payload = Buffer.concat([headers, ...aus]);
    aac.push(payload, 0, payload.length, 1000, true, false);
    assert.deepEqual(
      frames.map((f) => [f.pts, f.data.length, f.data[0]]),
      [
        [1000, 200, 1],
        [2024, 300, 2],
        [3048, 250, 3],
      ],
    );
    // A 3000-byte AU in two packets, one AU header each (RFC 3640 §3.2.3.3).
    frames.length = 0;
    const big = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
    const header = Buffer.from([0, 16, (3000 << 3) >> 8, (3000 << 3) & 0xff]);
    const first = Buffer.concat([header, big.subarray(0, 1400)]);
    const second = Buffer.concat([header, big.subarray(1400)]);
    aac.push(first, 0, first.length, 5000, false, false);
    aac.push(second, 0, second.length, 5000, true, false);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]?.pts, 5000);
    assert.deepEqual(new Uint8Array(frames[0]!.data), new Uint8Array(big));
  });
});
