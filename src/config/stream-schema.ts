/**
 * The stream wire format (snake_case, as in the reference DVR API) and its
 * mapping to the validated `StreamDefinition`. Used by the admin API's PUT
 * body and by the `streams:` section of the config file, so both accept and
 * refuse exactly the same things with the same words.
 */
import { Type, type Static } from 'typebox';
import { VigilError, type ErrorCode } from '../errors.js';
import { parseDiskLimit, filesystemSizeBytes } from './disk-limit.js';
import { checkSchema } from './schema-errors.js';
import {
  PUBLISH_KEY_PATTERN,
  isPublishSource,
  PUBLISH_SOURCE_URL,
  SOURCE_SCHEMES,
  STREAM_NAME_PATTERN,
  type AudioHandling,
  type Flip,
  type Rotate,
  type RtspTransport,
  type StreamDefinition,
} from './stream-types.js';

export const STREAM_NAME_HINT = 'a name of 1 to 64 letters, digits, "_" or "-" (no "/" or "..")';

export const StreamNameSchema = Type.String({ pattern: STREAM_NAME_PATTERN.source, description: STREAM_NAME_HINT });

const DiskLimitSchema = Type.Union([Type.Number({ minimum: 0 }), Type.String({ minLength: 1 })], {
  description: 'bytes as a number (>= 0), or a string like "500G", "1.5T" or "80%"',
});

export const StreamDvrWireSchema = Type.Object(
  {
    root: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    expiration: Type.Optional(
      Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'seconds (>= 0), or null for no limit' }),
    ),
    disk_limit: Type.Optional(Type.Union([DiskLimitSchema, Type.Null()])),
  },
  { additionalProperties: false },
);

/** What a client sends. Every key is optional on change; `url` is required on create. */
export const StreamWireSchema = Type.Object(
  {
    name: Type.Optional(StreamNameSchema),
    url: Type.Optional(Type.String({ minLength: 1 })),
    substream_url: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    title: Type.Optional(Type.String()),
    flip: Type.Optional(Type.Enum(['none', 'horizontal', 'vertical', 'both'])),
    rotate: Type.Optional(Type.Enum([0, 90, 180, 270])),
    audio: Type.Optional(Type.Enum(['transcode', 'keep', 'drop'])),
    rtsp_transport: Type.Optional(Type.Enum(['tcp', 'udp'])),
    enabled: Type.Optional(Type.Boolean()),
    dvr: Type.Optional(StreamDvrWireSchema),
    // Any string here: the format is checked in code, whose message never echoes a secret.
    publish_key: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description:
          'a string of 8 to 256 of A-Z a-z 0-9 . _ ~ - (publish:// streams: what a publisher sends as ?key=)',
      }),
    ),
  },
  { additionalProperties: false },
);

export type StreamWire = Static<typeof StreamWireSchema>;

/** What Vigil sends back: every setting, with absent optional ones left out. */
export interface StreamWireOutput {
  name: string;
  url: string;
  substream_url?: string;
  title: string;
  flip: Flip;
  rotate: Rotate;
  audio: AudioHandling;
  rtsp_transport: RtspTransport;
  enabled: boolean;
  dvr: { root?: string; expiration?: number; disk_limit?: number };
}

export interface StreamContext {
  /** Prefix for field paths (`streams.cam1` in the config file). */
  prefix?: string;
  /** Prefix for messages (the config file name). */
  label?: string;
  /** Code for every error (INVALID_CONFIG in the config file). */
  code?: ErrorCode;
  /** Archive root a percentage disk limit refers to when the stream sets none. */
  defaultRoot?: string;
  fsSize?: (path: string) => number;
}

const SCHEME_HINT = 'use rtsp, rtmp, http(s), srt, file, demo or publish';

function fieldPath(context: StreamContext, field: string): string {
  return context.prefix ? `${context.prefix}.${field}` : field;
}

function fail(context: StreamContext, code: ErrorCode, field: string, text: string): VigilError {
  const path = fieldPath(context, field);
  const label = context.label ? `${context.label}: ` : '';
  return new VigilError(context.code ?? code, `${label}${path}: ${text}`, { field: path });
}

/** Checks a source URL's scheme; never echoes the URL, which may carry a password. */
function checkSourceUrl(url: string, field: string, context: StreamContext): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (!match?.[1]) {
    throw fail(
      context,
      'INVALID_ARGUMENT',
      field,
      `expected a URL with a scheme (rtsp://camera/stream, demo://clock); ${SCHEME_HINT}`,
    );
  }
  const scheme = match[1].toLowerCase();
  if (!(SOURCE_SCHEMES as readonly string[]).includes(scheme)) {
    throw fail(context, 'SOURCE_UNSUPPORTED', field, `scheme "${scheme}" is not supported; ${SCHEME_HINT}`);
  }
  return url;
}

/** Throws unless `name` is a valid stream name. */
export function checkStreamName(name: string, context: StreamContext = {}, field = 'name'): string {
  if (!STREAM_NAME_PATTERN.test(name)) {
    throw fail(
      context,
      'INVALID_ARGUMENT',
      field,
      `expected ${STREAM_NAME_HINT}, got ${JSON.stringify(name.slice(0, 80))}`,
    );
  }
  return name;
}

function relabel(err: unknown, context: StreamContext): unknown {
  if (!(err instanceof VigilError) || (!context.label && !context.code)) return err;
  const label = context.label && !err.message.startsWith(`${context.label}: `) ? `${context.label}: ` : '';
  return new VigilError(context.code ?? err.code, `${label}${err.message}`, { field: err.field, cause: err });
}

/**
 * Validates a wire body and builds the definition. With `existing`, keys the
 * body leaves out keep their current value (PUT changes what it names), and
 * `null` clears an optional setting.
 */
export function toStreamDefinition(
  name: string,
  wire: unknown,
  existing?: StreamDefinition,
  context: StreamContext = {},
): StreamDefinition {
  try {
    checkStreamName(name, context);
    // The schema's message would show a wrong value; a key's, even a mistyped one, stays hidden.
    const givenKey: unknown = typeof wire === 'object' && wire !== null ? Reflect.get(wire, 'publish_key') : undefined;
    if (givenKey !== undefined && givenKey !== null && typeof givenKey !== 'string') {
      throw fail(
        context,
        'INVALID_ARGUMENT',
        'publish_key',
        `expected a string, got a ${typeof givenKey} (value hidden)`,
      );
    }
    const body = checkSchema(StreamWireSchema, wire, {
      prefix: context.prefix,
      label: context.label,
      code: context.code,
    });
    if (body.name !== undefined && body.name !== name) {
      throw fail(context, 'INVALID_ARGUMENT', 'name', `must be the stream's name "${name}" or left out`);
    }
    const url = body.url ?? existing?.url;
    if (url === undefined) {
      throw fail(
        context,
        'INVALID_ARGUMENT',
        'url',
        'required when creating a stream (e.g. rtsp://camera/stream or demo://clock)',
      );
    }
    checkSourceUrl(url, 'url', context);
    const substreamUrl = body.substream_url === undefined ? existing?.substreamUrl : (body.substream_url ?? undefined);
    if (substreamUrl !== undefined) checkSourceUrl(substreamUrl, 'substream_url', context);
    const publishKey = checkPublishSource(url, substreamUrl, body.publish_key, existing, context);

    const dvr = body.dvr ?? {};
    const root = dvr.root === undefined ? existing?.dvr.root : (dvr.root ?? undefined);
    const expirationSeconds =
      dvr.expiration === undefined ? existing?.dvr.expirationSeconds : (dvr.expiration ?? undefined);
    const diskLimitBytes =
      dvr.disk_limit === undefined
        ? existing?.dvr.diskLimitBytes
        : dvr.disk_limit === null
          ? undefined
          : parseDiskLimit(
              dvr.disk_limit,
              fieldPath(context, 'dvr.disk_limit'),
              root ?? context.defaultRoot ?? '.',
              context.fsSize ?? filesystemSizeBytes,
            );

    return {
      name,
      url,
      substreamUrl,
      title: body.title ?? existing?.title ?? name,
      flip: body.flip ?? existing?.flip ?? 'none',
      rotate: body.rotate ?? existing?.rotate ?? 0,
      audio: body.audio ?? existing?.audio ?? 'transcode',
      rtspTransport: body.rtsp_transport ?? existing?.rtspTransport ?? 'tcp',
      enabled: body.enabled ?? existing?.enabled ?? true,
      dvr: { root, expirationSeconds, diskLimitBytes },
      ...(publishKey === undefined ? {} : { publishKey }),
    };
  } catch (err) {
    throw relabel(err, context);
  }
}

/**
 * A publish:// stream has exactly `publish://` as its main URL and a key; any
 * other stream has no key. Returns the key to keep. Messages never show a key.
 */
function checkPublishSource(
  url: string,
  substreamUrl: string | undefined,
  given: string | null | undefined,
  existing: StreamDefinition | undefined,
  context: StreamContext,
): string | undefined {
  if (substreamUrl?.toLowerCase().startsWith('publish:')) {
    throw fail(context, 'INVALID_ARGUMENT', 'substream_url', 'publish:// is for the main url only');
  }
  const isPublish = url.toLowerCase().startsWith('publish:');
  if (isPublish && !isPublishSource(url)) {
    throw fail(context, 'INVALID_ARGUMENT', 'url', `a publish stream's url is exactly "${PUBLISH_SOURCE_URL}"`);
  }
  if (!isPublish) {
    if (given !== undefined && given !== null) {
      throw fail(context, 'INVALID_ARGUMENT', 'publish_key', `only for a stream whose url is ${PUBLISH_SOURCE_URL}`);
    }
    return undefined;
  }
  const key = given === undefined ? existing?.publishKey : (given ?? undefined);
  if (key === undefined) {
    throw fail(context, 'INVALID_ARGUMENT', 'publish_key', `required when url is ${PUBLISH_SOURCE_URL}`);
  }
  if (!PUBLISH_KEY_PATTERN.test(key)) {
    throw fail(
      context,
      'INVALID_ARGUMENT',
      'publish_key',
      `expected 8 to 256 of A-Z a-z 0-9 . _ ~ - (got ${key.length} characters; value hidden)`,
    );
  }
  return key;
}

export function streamToWire(def: StreamDefinition): StreamWireOutput {
  return {
    name: def.name,
    url: def.url,
    ...(def.substreamUrl === undefined ? {} : { substream_url: def.substreamUrl }),
    title: def.title,
    flip: def.flip,
    rotate: def.rotate,
    audio: def.audio,
    rtsp_transport: def.rtspTransport,
    enabled: def.enabled,
    dvr: {
      ...(def.dvr.root === undefined ? {} : { root: def.dvr.root }),
      ...(def.dvr.expirationSeconds === undefined ? {} : { expiration: def.dvr.expirationSeconds }),
      ...(def.dvr.diskLimitBytes === undefined ? {} : { disk_limit: def.dvr.diskLimitBytes }),
    },
  };
}
