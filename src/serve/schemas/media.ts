/**
 * The viewer URLs' schemas (`/{name}/{file}`, `/{name}/s/{file}`). Query
 * values stay strings: media-query.ts parses them with its own messages. The
 * file name is parsed by media-paths.ts, so the schema only describes it.
 */
import { Type } from 'typebox';
import { adminErrorResponses, emptyResponse, fileResponses } from './common.js';

const Text = (description: string) => Type.Optional(Type.String({ description }));

const NameParam = Type.String({ minLength: 1, description: 'the stream name' });

export const MediaFileParamsSchema = Type.Object(
  {
    name: NameParam,
    file: Type.String({
      minLength: 1,
      description:
        'archive-{from}-{duration}.mp4|.ts (a download), index-{from}-{duration}.m3u8 or index-{from}-now.m3u8 ' +
        '(archive HLS), index.m3u8 (live HLS), {from}.jpg (the nearest keyframe; redirects to its exact time), ' +
        '{from}-preview.jpg|.mp4 (decoded on demand). from: Unix seconds (decimals allowed); duration: seconds',
    }),
  },
  { additionalProperties: false },
);

export const MediaSegmentParamsSchema = Type.Object(
  { name: NameParam, file: Type.String({ minLength: 1, description: '{segmentId}.m4s, as a playlist lists it' }) },
  { additionalProperties: false },
);

export const MediaQuerySchema = Type.Object(
  {
    token: Text('a play token (POST /api/v1/tokens); carried into every URL a playlist lists'),
    substream: Text('true or false: the sub stream (default false)'),
    gaps: Text('downloads: collapse (default) or keep (gaps stay as gaps in the timeline)'),
    format: Text('.mp4 downloads: mp4 (progressive, moov first; default) or fmp4 (fragmented)'),
    width: Text('thumbnails: an even number of pixels (the height follows)'),
    method: Text('-preview thumbnails: nearest (default), before, after or precise'),
  },
  { additionalProperties: false },
);

export const SegmentQuerySchema = Type.Object(
  { token: Text('a play token (POST /api/v1/tokens)') },
  { additionalProperties: false },
);

export const mediaFileResponses = {
  ...fileResponses('An archive download, an HLS playlist or a thumbnail', [
    'video/mp4',
    'video/mp2t',
    'application/vnd.apple.mpegurl',
    'image/jpeg',
  ]),
  302: emptyResponse('{from}.jpg: redirect to the nearest keyframe’s own URL, {keyframe}.jpg'),
  ...adminErrorResponses,
};

export const mediaSegmentResponses = {
  ...fileResponses('An HLS segment (fragmented MP4, on the epoch timeline)', ['video/mp4']),
  ...adminErrorResponses,
};
