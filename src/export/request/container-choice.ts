/**
 * The output container: asked for, named by the file's extension, or chosen
 * for the codecs; and the codec/container pairs that cannot be written.
 */
import { invalidArgument } from '../../errors.js';
import type { AudioSpec, JobContainer, TranscodeSpec } from './types.js';
import { foldName, optionalString, show } from './values.js';

export const JOB_CONTAINERS: readonly JobContainer[] = ['mp4', 'mkv', 'ts', 'avi'];

export function parseContainer(value: unknown): JobContainer | undefined {
  const text = optionalString(value, 'container');
  if (text === undefined || text.trim() === '') return undefined;
  const folded = foldName(text).replace(/^\./, '');
  const container = JOB_CONTAINERS.find((c) => c === folded);
  if (container === undefined) {
    throw invalidArgument('container', `expected one of ${JOB_CONTAINERS.join(', ')}, got ${show(value)}`);
  }
  return container;
}

/**
 * Which containers can hold a codec, as Debian's ffmpeg writes them: WMV2 and
 * WMA need AVI (ASF is not offered; Matroska also takes WMA); plain PCM has no
 * mapping in MPEG-TS and none in MP4 before ffmpeg 6.
 */
const VIDEO_CONTAINERS: Partial<Record<TranscodeSpec['videoCodec'], readonly JobContainer[]>> = { wmv: ['avi'] };
const AUDIO_CONTAINERS: Partial<Record<AudioSpec['mode'], readonly JobContainer[]>> = {
  wma: ['avi', 'mkv'],
  pcm: ['avi', 'mkv'],
};

export interface ContainerChoice {
  /** The `container` field. */
  asked: JobContainer | undefined;
  /** From the file name's (or file path's) extension, and the field it came from. */
  named: { container: JobContainer; field: 'file_name' | 'file_path' } | undefined;
  audio: AudioSpec;
  transcode: TranscodeSpec | null;
}

/**
 * `container`, else the file's extension, else AVI when a codec needs it (the
 * reference module's own default container), else MP4.
 */
export function chooseContainer(choice: ContainerChoice): JobContainer {
  const { asked, named, audio, transcode } = choice;
  if (asked !== undefined && named !== undefined && asked !== named.container) {
    throw invalidArgument(
      named.field,
      `ends in .${named.container} but container is ${asked}; make them agree or leave one out`,
    );
  }
  const videoAllowed = transcode === null ? undefined : VIDEO_CONTAINERS[transcode.videoCodec];
  const audioAllowed = AUDIO_CONTAINERS[audio.mode];
  const chosen = asked ?? named?.container ?? (videoAllowed ?? audioAllowed)?.[0] ?? 'mp4';
  const field = asked !== undefined ? 'container' : (named?.field ?? 'container');
  if (videoAllowed !== undefined && !videoAllowed.includes(chosen)) {
    throw invalidArgument(
      field,
      `video_codec ${transcode?.videoCodec} (WMV2) is written only in ${videoAllowed.join(' or ')}, got ${chosen}; ` +
        `choose ${videoAllowed.join(' or ')}, or another video_codec`,
    );
  }
  if (audioAllowed !== undefined && !audioAllowed.includes(chosen)) {
    throw invalidArgument(
      field,
      `audio_codec ${audio.mode} is written only in ${audioAllowed.join(' or ')}, got ${chosen}; ` +
        `choose ${audioAllowed.join(' or ')}, or audio_codec aac`,
    );
  }
  return chosen;
}
