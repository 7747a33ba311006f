/**
 * The independent-oracle tests: Debian's ffmpeg makes the input, our readers take it apart,
 * our writers put it back together, and ffprobe/ffmpeg judge the result.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { annexBToLengthPrefixed, isAnnexB, splitAnnexB } from './bitstream/annex-b.js';
import { AVC_NAL_SLICE_IDR, avcNalType, buildAvcDecoderConfig, readAvcDecoderConfig } from './bitstream/avc.js';
import { HEVC_NAL_CRA, HEVC_NAL_IDR_W_RADL, hevcNalType } from './bitstream/hevc.js';
import { toVideoDecoderConfig } from './bitstream/video-config.js';
import { codecString } from './codec-string.js';
import { buildFragment, readFragment } from './fragment.js';
import type { FragmentRun } from './fragment.js';
import { buildInitSegment, readInitSegment, readTrackDefaults } from './init-segment.js';
import { scanBoxes } from './scan.js';
import type { SampleInfo, TrackConfig } from './types.js';

function run(cmd: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

interface ProbedStream {
  codec_name: string;
  width?: number;
  height?: number;
  nb_read_frames?: string;
  sample_rate?: string;
  channels?: number;
}

function probe(path: string): { streams: ProbedStream[]; format: { duration: string } } {
  const { stdout } = run('ffprobe', [
    '-v',
    'error',
    '-show_streams',
    '-show_format',
    '-count_frames',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration: string } };
}

/** Decoding problems ffmpeg reports; empty when the file decodes cleanly. */
function decodeErrors(path: string): string {
  return spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
}

/** One line per decoded video frame: stream, dts, pts, duration, size, md5. */
function frameMd5(path: string): string[] {
  const { stdout } = run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-']);
  return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

interface Sample {
  info: SampleInfo;
  decodeTime: number;
  payload: Uint8Array;
}

/** Every sample of every track in a fragmented file, read with our own readers. */
function readSamples(file: Uint8Array): Map<number, Sample[]> {
  const defaults = readTrackDefaults(file);
  const out = new Map<number, Sample[]>();
  for (const box of scanBoxes(file).filter((b) => b.type === 'moof')) {
    const moof = file.subarray(box.offset, box.offset + box.size);
    for (const r of readFragment(moof, defaults, box.offset).runs) {
      let pos = box.offset + r.dataOffset;
      let time = r.baseMediaDecodeTime;
      const list = out.get(r.trackId) ?? [];
      for (const info of r.samples) {
        list.push({ info, decodeTime: time, payload: file.subarray(pos, pos + info.sizeBytes) });
        pos += info.sizeBytes;
        time += info.durationTicks;
      }
      out.set(r.trackId, list);
    }
  }
  return out;
}

function toRun(trackId: number, samples: Sample[]): FragmentRun {
  return {
    trackId,
    baseMediaDecodeTime: samples[0]?.decodeTime ?? 0,
    samples: samples.map((s) => s.info),
    payloads: samples.map((s) => s.payload),
  };
}

/**
 * Writes an fMP4 with one fragment per video GOP, each carrying the audio that starts before
 * the GOP ends: different fragment boundaries from the source's, on purpose.
 */
function writeFmp4(tracks: TrackConfig[], samples: Map<number, Sample[]>): Uint8Array {
  const video = tracks.find((t) => t.kind === 'video')!;
  const audio = tracks.find((t) => t.kind === 'audio');
  const videoSamples = samples.get(video.trackId) ?? [];
  const audioSamples = audio === undefined ? [] : (samples.get(audio.trackId) ?? []);
  const parts: Uint8Array[] = [buildInitSegment(tracks)];
  let audioIndex = 0;
  let gopStart = 0;
  let sequence = 1;
  while (gopStart < videoSamples.length) {
    let gopEnd = gopStart + 1;
    while (gopEnd < videoSamples.length && !videoSamples[gopEnd]!.info.isSync) gopEnd++;
    const gop = videoSamples.slice(gopStart, gopEnd);
    const endSeconds =
      gopEnd < videoSamples.length ? videoSamples[gopEnd]!.decodeTime / video.timescale : Number.POSITIVE_INFINITY;
    const runs = [toRun(video.trackId, gop)];
    if (audio !== undefined) {
      const first = audioIndex;
      while (audioIndex < audioSamples.length && audioSamples[audioIndex]!.decodeTime / audio.timescale < endSeconds) {
        audioIndex++;
      }
      if (audioIndex > first) runs.push(toRun(audio.trackId, audioSamples.slice(first, audioIndex)));
    }
    const { moof, mdatChunks } = buildFragment(sequence++, runs);
    parts.push(moof, ...mdatChunks);
    gopStart = gopEnd;
  }
  return Buffer.concat(parts);
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-mp4-oracle-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('fMP4 rewritten from an ffmpeg fragmented MP4', () => {
  it('reads the tracks, rewrites them, and ffmpeg decodes the same frames', () => {
    const src = join(dir, 'in.mp4');
    run('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '4', '-c:v', 'libx264', '-g', '25', '-c:a', 'aac'],
      ...['-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', src],
    ]);
    const file = new Uint8Array(readFileSync(src));
    const tracks = readInitSegment(file);
    const video = tracks.find((t) => t.kind === 'video');
    const audio = tracks.find((t) => t.kind === 'audio');
    assert.ok(video?.kind === 'video' && audio?.kind === 'audio');
    assert.equal(video.codec, 'avc1');
    assert.equal(video.width, 320);
    assert.equal(video.height, 240);
    assert.match(codecString(video), /^avc1\.[0-9a-f]{6}$/);
    assert.equal(audio.codec, 'mp4a');
    assert.equal(audio.sampleRate, 44100);
    assert.equal(audio.channelCount, 1);
    assert.equal(codecString(audio), 'mp4a.40.2');

    const samples = readSamples(file);
    assert.equal(samples.get(video.trackId)?.length, 100);
    assert.ok(samples.get(video.trackId)?.[0]?.info.isSync);

    const ours = join(dir, 'ours.mp4');
    writeFileSync(ours, writeFmp4(tracks, samples));

    const a = probe(src);
    const b = probe(ours);
    assert.deepEqual(
      b.streams.map((s) => [s.codec_name, s.width, s.height, s.nb_read_frames, s.sample_rate, s.channels]),
      a.streams.map((s) => [s.codec_name, s.width, s.height, s.nb_read_frames, s.sample_rate, s.channels]),
    );
    assert.equal(b.streams[0]?.nb_read_frames, '100');
    // Rebuilding ffmpeg's avcC from its own parameter sets gives the same bytes.
    const { sps, pps } = readAvcDecoderConfig(video.decoderConfig);
    assert.deepEqual(buildAvcDecoderConfig(sps, pps), video.decoderConfig);
    assert.ok(Math.abs(Number(b.format.duration) - Number(a.format.duration)) < 0.05, 'same duration');
    assert.equal(decodeErrors(ours), '');
    assert.deepEqual(frameMd5(ours), frameMd5(src));
  });
});

/** Splits an Annex B elementary stream written with AUDs into access units (each begins with its AUD). */
function accessUnits(stream: Uint8Array, isAud: (nal: Uint8Array) => boolean): Uint8Array[] {
  const nals = splitAnnexB(stream);
  const aus: Uint8Array[][] = [];
  for (const nal of nals) {
    if (isAud(nal) || aus.length === 0) aus.push([]);
    aus[aus.length - 1]!.push(nal);
  }
  const startCode = new Uint8Array([0, 0, 0, 1]);
  return aus.map((units) => Buffer.concat(units.flatMap((u) => [startCode, u])));
}

function elementaryToFmp4(
  codec: 'h264' | 'hevc',
  stream: Uint8Array,
  isAud: (nal: Uint8Array) => boolean,
  isKey: (nal: Uint8Array) => boolean,
): Uint8Array {
  const aus = accessUnits(stream, isAud);
  assert.ok(isAnnexB(aus[0]!));
  const config = toVideoDecoderConfig(codec, undefined, aus[0]);
  assert.ok(config !== undefined, 'parameter sets found in the first access unit');
  assert.equal(config.width, 320);
  assert.equal(config.height, 240);
  const track: TrackConfig = {
    kind: 'video',
    trackId: 1,
    timescale: 25,
    codec: codec === 'h264' ? 'avc1' : 'hev1',
    width: config.width,
    height: config.height,
    decoderConfig: config.decoderConfig,
  };
  const samples: Sample[] = aus.map((au, i) => {
    const payload = annexBToLengthPrefixed(au);
    const info = {
      durationTicks: 1,
      sizeBytes: payload.length,
      isSync: splitAnnexB(au).some(isKey),
      compositionOffsetTicks: 0,
    };
    return { info, decodeTime: i, payload };
  });
  return writeFmp4([track], new Map([[1, samples]]));
}

describe('fMP4 from Annex B elementary streams', () => {
  it('H.264 access units with in-band SPS/PPS become an fMP4 ffmpeg decodes frame for frame', () => {
    const es = join(dir, 'in.h264');
    run('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2'],
      ...['-c:v', 'libx264', '-g', '25', '-bf', '0', '-x264-params', 'aud=1', '-f', 'h264', es],
    ]);
    const out = join(dir, 'h264.mp4');
    writeFileSync(
      out,
      elementaryToFmp4(
        'h264',
        new Uint8Array(readFileSync(es)),
        (n) => avcNalType(n) === 9,
        (n) => avcNalType(n) === AVC_NAL_SLICE_IDR,
      ),
    );
    const p = probe(out);
    assert.equal(p.streams[0]?.codec_name, 'h264');
    assert.equal(p.streams[0]?.nb_read_frames, '50');
    assert.equal(decodeErrors(out), '');
    assert.deepEqual(frameMd5(out), frameMd5(es));
  });

  it('H.265 access units become an fMP4 ffmpeg decodes frame for frame', () => {
    const es = join(dir, 'in.hevc');
    run('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'libx265'],
      ...['-x265-params', 'aud=1:keyint=25:bframes=0:log-level=error', '-f', 'hevc', es],
    ]);
    const out = join(dir, 'hevc.mp4');
    writeFileSync(
      out,
      elementaryToFmp4(
        'hevc',
        new Uint8Array(readFileSync(es)),
        (n) => hevcNalType(n) === 35,
        (n) => hevcNalType(n) >= HEVC_NAL_IDR_W_RADL && hevcNalType(n) <= HEVC_NAL_CRA,
      ),
    );
    const p = probe(out);
    assert.equal(p.streams[0]?.codec_name, 'hevc');
    assert.equal(p.streams[0]?.width, 320);
    assert.equal(p.streams[0]?.nb_read_frames, '50');
    assert.equal(decodeErrors(out), '');
    assert.deepEqual(frameMd5(out), frameMd5(es));
  });
});

describe('G.711 tracks', () => {
  for (const [codec, decoder] of [
    ['ulaw', 'pcm_mulaw'],
    ['alaw', 'pcm_alaw'],
  ] as const) {
    it(`ffmpeg reads a ${codec} track as ${decoder}`, () => {
      const track: TrackConfig = {
        kind: 'audio',
        trackId: 1,
        timescale: 8000,
        codec,
        sampleRate: 8000,
        channelCount: 1,
        decoderConfig: new Uint8Array(0),
      };
      // One second of silence-ish bytes in 20 ms packets, as a camera sends them.
      const samples: Sample[] = Array.from({ length: 50 }, (_, i) => ({
        info: { durationTicks: 160, sizeBytes: 160, isSync: true, compositionOffsetTicks: 0 },
        decodeTime: i * 160,
        payload: new Uint8Array(160).fill(codec === 'ulaw' ? 255 : 213),
      }));
      const { moof, mdatChunks } = buildFragment(1, [toRun(1, samples)]);
      const out = join(dir, `${codec}.mp4`);
      writeFileSync(out, Buffer.concat([buildInitSegment([track]), moof, ...mdatChunks]));
      const p = probe(out);
      assert.equal(p.streams[0]?.codec_name, decoder);
      assert.equal(p.streams[0]?.sample_rate, '8000');
      assert.equal(p.streams[0]?.channels, 1);
      assert.equal(Number(p.format.duration), 1);
      assert.equal(decodeErrors(out), '');
    });
  }
});
