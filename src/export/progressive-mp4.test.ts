import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../mp4/byte-reader.js';
import { readElst } from '../mp4/boxes/edit-list.js';
import { readUdta } from '../mp4/boxes/udta.js';
import { boxBody, scanBoxes } from '../mp4/scan.js';
import { buildProgressiveMp4 } from './progressive-mp4.js';
import { selectSamples } from './select-samples.js';
import { boxAt, headerBytes, locate, sampleOffsets, stbl } from './testing/mp4-inspect.js';
import { request, syntheticInput, T0 } from './testing/synthetic-archive.js';
import type { SampleSelection } from './types.js';

const S = 1_000_000;
const meta = { title: 'Gate', timeZone: 'Europe/Berlin' };

function elstOf(header: Uint8Array, trak: number): ReturnType<typeof readElst> {
  const box = boxAt(header, ['moov', 'trak', 'edts', 'elst'], trak)!;
  return readElst(new ByteReader(boxBody(header, box)));
}

describe('buildProgressiveMp4', () => {
  const input = syntheticInput([
    { id: 1, startUs: T0, frames: 100, bFrames: true },
    { id: 2, startUs: T0 + 4 * S, frames: 100, bFrames: true },
  ]);
  const selection = selectSamples(input, request(T0 + 2_530_000, T0 + 6 * S));
  const layout = buildProgressiveMp4(selection, meta);
  const header = headerBytes(layout);

  it('lays out ftyp, moov, then one mdat holding every payload byte', () => {
    assert.equal(layout.contentType, 'video/mp4');
    const top = scanBoxes(header);
    assert.deepEqual(
      top.map((b) => b.type),
      ['ftyp', 'moov', 'mdat'],
    );
    const mdat = top[2]!;
    const payload = selection.tracks.reduce((n, t) => n + t.sizeBytes.reduce((a, b) => a + b, 0), 0);
    assert.equal(mdat.size, 8 + payload);
    assert.equal(mdat.offset + 8, header.length);
    assert.equal(layout.sizeBytes, header.length + payload);
    const parts = layout.parts.reduce((n, p) => n + (p.kind === 'bytes' ? p.data.length : p.length), 0);
    assert.equal(parts, layout.sizeBytes);
  });

  it('every sample offset in the moov points at that sample in its segment file', () => {
    selection.tracks.forEach((track, t) => {
      const offsets = sampleOffsets(header, t);
      assert.equal(offsets.length, track.count);
      offsets.forEach((o, i) => {
        const { part, fileOffset } = locate(layout, o);
        assert.equal(part.kind, 'file');
        assert.equal(part.kind === 'file' && part.file.path, selection.files[track.fileIndex[i]!]!.path);
        assert.equal(fileOffset, track.fileOffset[i]);
      });
    });
  });

  it('writes ctts (B-frames) and stss for video only, and the pre-roll as media_time', () => {
    assert.ok(stbl(header, 0, 'ctts'));
    assert.ok(stbl(header, 0, 'stss'));
    assert.equal(stbl(header, 1, 'ctts'), undefined);
    assert.equal(stbl(header, 1, 'stss'), undefined);
    assert.equal(stbl(header, 0, 'ctts')![0], 0, 'offsets are all positive: version 0');
    assert.deepEqual(elstOf(header, 0), [
      {
        segmentDuration: Math.round(selection.durationUs / 1000),
        mediaTime: selection.tracks[0]!.presentationStartTicks,
      },
    ]);
    assert.equal(elstOf(header, 1)[0]!.mediaTime, selection.tracks[1]!.presentationStartTicks);
  });

  it('names the export and its first piece in the metadata', () => {
    const udta = boxAt(header, ['moov', 'udta'])!;
    const fields = readUdta(header.subarray(udta.offset, udta.offset + udta.size));
    assert.equal(fields.title, 'Gate');
    assert.equal(fields.date, new Date(selection.firstShownUs / 1000).toISOString());
    assert.deepEqual(fields.chapters, [{ startUs: 0, title: '2026-01-31 13:00:02' }]);
  });
});

describe('buildProgressiveMp4 with gaps', () => {
  const input = syntheticInput([
    { id: 1, startUs: T0, frames: 100 },
    { id: 2, startUs: T0 + 10 * S, frames: 100 },
  ]);

  it('gaps=keep inserts an empty edit the length of the gap', () => {
    const sel = selectSamples(input, request(T0 + 2 * S, T0 + 12 * S, 'keep'));
    const header = headerBytes(buildProgressiveMp4(sel, meta));
    assert.deepEqual(elstOf(header, 0), [
      { segmentDuration: 2000, mediaTime: 0 },
      { segmentDuration: 6000, mediaTime: -1 },
      { segmentDuration: 2000, mediaTime: 2 * 90_000 },
    ]);
  });

  it('collapsed gaps give one chapter per piece, titled in the time zone', () => {
    const sel = selectSamples(input, request(T0 + 2 * S, T0 + 12 * S));
    const header = headerBytes(buildProgressiveMp4(sel, { title: 'Gate', timeZone: 'America/New_York' }));
    const udta = boxAt(header, ['moov', 'udta'])!;
    assert.deepEqual(readUdta(header.subarray(udta.offset, udta.offset + udta.size)).chapters, [
      { startUs: 0, title: '2026-01-31 07:00:02' },
      { startUs: 2 * S, title: '2026-01-31 07:00:10' },
    ]);
    assert.equal(elstOf(header, 0).length, 1);
  });
});

describe('buildProgressiveMp4 with audio that starts late', () => {
  const input = syntheticInput([
    { id: 1, startUs: T0, frames: 100 },
    { id: 2, startUs: T0 + 10 * S, frames: 100 },
  ]);

  it('holds the delay with an empty edit, then plays the audio from its first sample', () => {
    const base = selectSamples(input, request(T0 + 2 * S, T0 + 4 * S));
    const audio = base.tracks[1]!;
    // 0.5 s after the first shown frame (what selectSamples gives such audio).
    const late = {
      ...base,
      tracks: [base.tracks[0]!, { ...audio, presentationStartTicks: -audio.config.timescale / 2 }],
    };
    assert.deepEqual(elstOf(headerBytes(buildProgressiveMp4(late, meta)), 1), [
      { segmentDuration: 500, mediaTime: -1 },
      { segmentDuration: 1500, mediaTime: 0 },
    ]);
  });

  it('with gaps kept, the delay goes before the first piece and the later pieces keep their places', () => {
    const base = selectSamples(input, request(T0 + 2 * S, T0 + 12 * S, 'keep'));
    const audio = base.tracks[1]!;
    const ts = audio.config.timescale;
    const late = { ...base, tracks: [base.tracks[0]!, { ...audio, presentationStartTicks: -ts / 2 }] };
    assert.deepEqual(elstOf(headerBytes(buildProgressiveMp4(late, meta)), 1), [
      { segmentDuration: 500, mediaTime: -1 },
      { segmentDuration: 1500, mediaTime: 0 },
      { segmentDuration: 6000, mediaTime: -1 },
      { segmentDuration: 2000, mediaTime: 2 * ts - ts / 2 },
    ]);
  });
});

describe('buildProgressiveMp4 past 4 GiB', () => {
  it('switches to co64 and a 64-bit mdat size', () => {
    // 60 samples of 100 MB, each in its own place: 6 GB of payload, no file needed.
    const base = selectSamples(
      syntheticInput([{ id: 1, startUs: T0, frames: 60, audio: false }]),
      request(T0, T0 + 60 * S),
    );
    const video = base.tracks[0]!;
    const big: SampleSelection = {
      ...base,
      tracks: [
        {
          ...video,
          sizeBytes: new Uint32Array(video.count).fill(100_000_000),
          fileOffset: Float64Array.from({ length: video.count }, (_, i) => i * 200_000_000),
        },
      ],
    };
    const layout = buildProgressiveMp4(big, meta);
    const header = headerBytes(layout);
    assert.ok(stbl(header, 0, 'co64'));
    assert.equal(stbl(header, 0, 'stco'), undefined);
    const mdat = scanBoxes(header)[2]!;
    assert.equal(mdat.type, 'mdat');
    assert.equal(mdat.headerSize, 16);
    assert.equal(mdat.size, 16 + 6_000_000_000);
    assert.equal(layout.sizeBytes, header.length + 6_000_000_000);
    const offsets = sampleOffsets(header, 0);
    assert.equal(offsets[59], header.length + 59 * 100_000_000);
    assert.equal(locate(layout, offsets[59]!).fileOffset, 59 * 200_000_000);
  });
});
