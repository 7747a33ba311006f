import { VigilError } from '../../errors.js';
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import {
  DECODER_CONFIG_DESCRIPTOR_TAG,
  DECODER_SPECIFIC_INFO_TAG,
  DESCRIPTOR_SIZE_BITS,
  DESCRIPTOR_SIZE_CONTINUES,
  ES_DESCRIPTOR_TAG,
  ES_OCR_STREAM_FLAG,
  ES_STREAM_DEPENDENCE_FLAG,
  ES_URL_FLAG,
  FIXED_16_16_ONE,
  OBJECT_TYPE_MPEG4_AUDIO,
  RESOLUTION_72_DPI,
  SL_CONFIG_DESCRIPTOR_TAG,
  SL_PREDEFINED_MP4,
  STREAM_TYPE_AUDIO,
  VISUAL_DEPTH_24,
} from '../flags.js';
import { fourcc } from '../fourcc.js';
import { boxBody, childBoxes, findBox } from '../scan.js';
import type { AudioTrackConfig, BoxLocation, VideoTrackConfig } from '../types.js';

const COMPRESSOR_NAME_BYTES = 32;
const AUDIO_SAMPLE_SIZE_BITS = 16;
/** Fields every sample entry starts with: 6 reserved bytes, data_reference_index. */
const SAMPLE_ENTRY_HEADER_BYTES = 8;
const VISUAL_SAMPLE_ENTRY_FIELDS_BYTES = 70;
const AUDIO_SAMPLE_ENTRY_FIELDS_BYTES = 20;

function writeSampleEntryHeader(w: ByteWriter): void {
  w.zeros(6);
  w.u16(1); // data_reference_index: the one dref entry
}

/** avc1 / hvc1 / hev1 with its avcC or hvcC. */
export function writeVisualSampleEntry(w: ByteWriter, t: VideoTrackConfig): void {
  w.box(t.codec, () => {
    writeSampleEntryHeader(w);
    w.u16(0); // pre_defined
    w.u16(0); // reserved
    w.zeros(4 * 3); // pre_defined
    w.u16(t.width);
    w.u16(t.height);
    w.u32(RESOLUTION_72_DPI);
    w.u32(RESOLUTION_72_DPI);
    w.u32(0); // reserved
    w.u16(1); // frame_count
    w.zeros(COMPRESSOR_NAME_BYTES);
    w.u16(VISUAL_DEPTH_24);
    w.i16(-1); // pre_defined
    w.box(t.codec === fourcc.avc1 ? fourcc.avcC : fourcc.hvcC, () => w.bytes(t.decoderConfig));
  });
}

/** mp4a (with esds) or a G.711 entry, which carries no configuration. */
export function writeAudioSampleEntry(w: ByteWriter, t: AudioTrackConfig): void {
  w.box(t.codec, () => {
    writeSampleEntryHeader(w);
    w.zeros(4 * 2); // reserved
    w.u16(t.channelCount);
    w.u16(AUDIO_SAMPLE_SIZE_BITS);
    w.u16(0); // pre_defined
    w.u16(0); // reserved
    // 16.16 leaves 16 bits for the rate; players take rates past 65535 Hz from the ASC instead.
    w.u32(t.sampleRate <= 65535 ? t.sampleRate * FIXED_16_16_ONE : 0);
    if (t.codec === fourcc.mp4a) writeEsds(w, t.trackId, t.decoderConfig);
  });
}

/** An MPEG-4 descriptor: tag, size in 7-bit groups, body. */
function writeDescriptor(w: ByteWriter, tag: number, body: (d: ByteWriter) => void): void {
  const d = new ByteWriter(64);
  body(d);
  const bytes = d.finish();
  w.u8(tag);
  const groups: number[] = [];
  let size = bytes.length;
  do {
    groups.unshift(size & DESCRIPTOR_SIZE_BITS);
    size = Math.floor(size / 128);
  } while (size > 0);
  groups.forEach((g, i) => w.u8(i < groups.length - 1 ? g | DESCRIPTOR_SIZE_CONTINUES : g));
  w.bytes(bytes);
}

function writeEsds(w: ByteWriter, esId: number, audioSpecificConfig: Uint8Array): void {
  w.fullBox(fourcc.esds, 0, 0, () => {
    writeDescriptor(w, ES_DESCRIPTOR_TAG, (es) => {
      es.u16(esId);
      es.u8(0); // no stream dependence, URL or OCR stream
      writeDescriptor(es, DECODER_CONFIG_DESCRIPTOR_TAG, (dc) => {
        dc.u8(OBJECT_TYPE_MPEG4_AUDIO);
        dc.u8(STREAM_TYPE_AUDIO);
        dc.u24(0); // bufferSizeDB
        dc.u32(0); // maxBitrate
        dc.u32(0); // avgBitrate
        writeDescriptor(dc, DECODER_SPECIFIC_INFO_TAG, (dsi) => dsi.bytes(audioSpecificConfig));
      });
      writeDescriptor(es, SL_CONFIG_DESCRIPTOR_TAG, (sl) => sl.u8(SL_PREDEFINED_MP4));
    });
  });
}

/** Walks esds descriptors down to the DecoderSpecificInfo (the AudioSpecificConfig). */
function readEsds(body: Uint8Array): Uint8Array {
  const r = new ByteReader(body, 'esds');
  r.u32(); // version and flags
  const found = findDescriptor(r, body.length, DECODER_SPECIFIC_INFO_TAG);
  return found ?? new Uint8Array(0);
}

function findDescriptor(r: ByteReader, end: number, want: number): Uint8Array | undefined {
  while (r.position < end) {
    const tag = r.u8();
    let size = 0;
    for (let i = 0; i < 4; i++) {
      const b = r.u8();
      size = size * 128 + (b & DESCRIPTOR_SIZE_BITS);
      if ((b & DESCRIPTOR_SIZE_CONTINUES) === 0) break;
    }
    const start = r.position;
    if (tag === want) return r.bytes(size);
    if (tag === ES_DESCRIPTOR_TAG) {
      r.u16(); // ES_ID
      const flags = r.u8();
      // streamDependenceFlag, URL_Flag, OCRstreamFlag add fields before the nested descriptors.
      if (flags & ES_STREAM_DEPENDENCE_FLAG) r.u16();
      if (flags & ES_URL_FLAG) r.skip(r.u8());
      if (flags & ES_OCR_STREAM_FLAG) r.u16();
      return findDescriptor(r, start + size, want);
    }
    if (tag === DECODER_CONFIG_DESCRIPTOR_TAG) {
      r.skip(13);
      return findDescriptor(r, start + size, want);
    }
    r.skip(size);
  }
  return undefined;
}

/** The parts of a track's first sample entry that make a TrackConfig. */
export type SampleEntryInfo =
  | Pick<VideoTrackConfig, 'kind' | 'codec' | 'width' | 'height' | 'decoderConfig'>
  | Pick<AudioTrackConfig, 'kind' | 'codec' | 'sampleRate' | 'channelCount' | 'decoderConfig'>;

export function readSampleEntry(buf: Uint8Array, entry: BoxLocation): SampleEntryInfo {
  const r = new ByteReader(boxBody(buf, entry), entry.type);
  r.skip(SAMPLE_ENTRY_HEADER_BYTES);
  switch (entry.type) {
    case fourcc.avc1:
    case fourcc.hvc1:
    case fourcc.hev1: {
      r.skip(16);
      const width = r.u16();
      const height = r.u16();
      const children = childBoxes(buf, entry, SAMPLE_ENTRY_HEADER_BYTES + VISUAL_SAMPLE_ENTRY_FIELDS_BYTES);
      const configType = entry.type === fourcc.avc1 ? fourcc.avcC : fourcc.hvcC;
      const config = findBox(children, configType);
      if (config === undefined) throw new VigilError('MEDIA_INVALID', `${entry.type}: no ${configType}`);
      return { kind: 'video', codec: entry.type, width, height, decoderConfig: boxBody(buf, config).slice() };
    }
    case fourcc.mp4a:
    case fourcc.ulaw:
    case fourcc.alaw: {
      const version = r.u16(); // QuickTime sound entries may be version 1 or 2
      r.skip(6);
      const channelCount = r.u16();
      r.skip(6);
      const sampleRate = Math.floor(r.u32() / FIXED_16_16_ONE);
      // QuickTime v1 adds 16 bytes of fields; v2 has its own layout (not written by us).
      const extra = version === 1 ? 16 : version === 2 ? 36 : 0;
      let decoderConfig = new Uint8Array(0);
      if (entry.type === fourcc.mp4a) {
        const children = childBoxes(buf, entry, SAMPLE_ENTRY_HEADER_BYTES + AUDIO_SAMPLE_ENTRY_FIELDS_BYTES + extra);
        const esds = findBox(children, fourcc.esds);
        if (esds === undefined) throw new VigilError('MEDIA_INVALID', 'mp4a: no esds');
        decoderConfig = readEsds(boxBody(buf, esds)).slice();
      }
      return { kind: 'audio', codec: entry.type, sampleRate, channelCount, decoderConfig };
    }
    default:
      throw new VigilError('MEDIA_INVALID', `sample entry "${entry.type}" is not supported`);
  }
}
