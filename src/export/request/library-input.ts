/**
 * The library face's camelCase request, mapped onto the wire request so one
 * normalizer (and one set of error fields) serves both.
 */
import { VigilError } from '../../errors.js';
import type { ExportJobRequest, ExportJobWireRequest, ExportOptions, ExportWireOptions } from './types.js';

/** Library option name → wire option name. */
export const OPTION_WIRE_NAMES = {
  videoCodec: 'video_codec',
  videoBitrate: 'video_bitrate',
  videoResolution: 'video_resolution',
  audioCodec: 'audio_codec',
  audioBitrate: 'audio_bitrate',
  needFliprotate: 'need_fliprotate',
  needChannelNameWatermark: 'need_channel_name_watermark',
  needTimestampWatermark: 'need_timestamp_watermark',
  watermarkAlign: 'watermark_align',
  watermarkNeedFigures: 'watermark_need_figures',
  timelapse: 'timelapse',
  source: 'source',
  isHardware: 'is_hardware',
  customArgs: 'custom_args',
} as const satisfies Record<keyof ExportOptions, keyof ExportWireOptions>;

/** The wire names every option may have; anything else in `options` is refused as unknown. */
export const WIRE_OPTION_NAMES: ReadonlySet<string> = new Set(Object.values(OPTION_WIRE_NAMES));

function optionsToWire(options: ExportOptions | null | undefined): ExportWireOptions | null | undefined {
  if (options === null || options === undefined || typeof options !== 'object' || Array.isArray(options)) {
    // Left for the normalizer, which names the field and what was given.
    return options as ExportWireOptions | null | undefined;
  }
  const wire: Record<string, unknown> = {};
  const camelNames = Object.keys(OPTION_WIRE_NAMES);
  for (const [key, value] of Object.entries(options)) {
    const wireName = (OPTION_WIRE_NAMES as Record<string, string>)[key];
    if (wireName !== undefined) {
      wire[wireName] = value;
      continue;
    }
    // Callers who port code from the reference module pass its snake_case names.
    const camel = camelNames.find((c) => (OPTION_WIRE_NAMES as Record<string, string>)[c] === key);
    throw new VigilError(
      'UNKNOWN_FIELD',
      `options.${key}: unknown option` +
        (camel === undefined ? `; known: ${camelNames.join(', ')}` : `; the library names it ${camel}`),
      { field: `options.${key}` },
    );
  }
  return wire as ExportWireOptions;
}

/** A Date becomes ISO 8601 (an invalid one stays visible in the error); numbers and strings pass as they are. */
function timeToWire(value: Date | number | string | null | undefined): number | string | null | undefined {
  if (!(value instanceof Date)) return value;
  return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
}

export function wireRequestFromLibrary(request: ExportJobRequest): ExportJobWireRequest {
  return {
    stream: request.stream,
    // A JavaScript caller may leave it out: the normalizer then says it is required.
    start: timeToWire(request.dtStart) as number | string,
    end: timeToWire(request.dtEnd),
    duration: request.duration,
    prefer_substream: request.preferSubstream,
    file_name: request.fileName,
    file_path: request.filePath,
    container: request.container,
    tz: request.tz,
    task_id: request.taskGuid,
    options: optionsToWire(request.options),
  };
}
