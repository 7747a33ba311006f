import type { ByteWriter } from '../byte-writer.js';
import { fourcc } from '../fourcc.js';
import type { TrackConfig } from '../types.js';
import { writeDinf, writeHdlr, writeMdhd, writeSmhd, writeTkhd, writeVmhd } from './movie.js';
import { writeAudioSampleEntry, writeVisualSampleEntry } from './sample-entry.js';

export interface TrackBoxFields {
  creationTime: number;
  /** tkhd duration, in the movie timescale. */
  presentationDuration: number;
  /** mdhd duration, in the track timescale. */
  mediaDuration: number;
  /** Boxes between tkhd and mdia (an edit list), when any. */
  writeEdits?: () => void;
  /** The sample tables after stsd: empty ones for a fragmented file, the whole index for a progressive one. */
  writeSampleTables: () => void;
}

/** trak with one sample description: the same shape in an init segment and in a progressive moov. */
export function writeTrack(w: ByteWriter, track: TrackConfig, f: TrackBoxFields): void {
  const isVideo = track.kind === 'video';
  w.box(fourcc.trak, () => {
    writeTkhd(w, {
      creationTime: f.creationTime,
      trackId: track.trackId,
      duration: f.presentationDuration,
      isAudio: !isVideo,
      width: track.kind === 'video' ? track.width : 0,
      height: track.kind === 'video' ? track.height : 0,
    });
    f.writeEdits?.();
    w.box(fourcc.mdia, () => {
      writeMdhd(w, f.creationTime, track.timescale, f.mediaDuration);
      writeHdlr(w, isVideo ? fourcc.vide : fourcc.soun, isVideo ? 'VideoHandler' : 'SoundHandler');
      w.box(fourcc.minf, () => {
        if (isVideo) writeVmhd(w);
        else writeSmhd(w);
        writeDinf(w);
        w.box(fourcc.stbl, () => {
          w.fullBox(fourcc.stsd, 0, 0, () => {
            w.u32(1);
            if (track.kind === 'video') writeVisualSampleEntry(w, track);
            else writeAudioSampleEntry(w, track);
          });
          f.writeSampleTables();
        });
      });
    });
  });
}
