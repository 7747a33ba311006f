/**
 * `event_sinks:` in the config file: where Vigil's events go (an HTTP
 * collector that takes JSON arrays, or a JSON-lines file), which of them
 * (`only`), and how much a sink that is down may hold before it drops the
 * oldest. A file sink's path is confined to the data directory, so a config
 * key cannot make Vigil append to an arbitrary file.
 */
import { resolve } from 'node:path';
import { isBelow } from '../path-within.js';
import { Type, type Static } from 'typebox';
import { invalidConfig } from './schema-errors.js';
import { EVENT_NAMES, type VigilEventName } from '../telemetry/events.js';
import { STREAM_NAME_PATTERN } from './stream-types.js';

const EventNameSchema = Type.Enum(EVENT_NAMES, { description: EVENT_NAMES.join(', ') });

export const EventSinkSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })),
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'an http(s) URL' })),
    file: Type.Optional(Type.String({ minLength: 1, description: 'a path inside data_dir' })),
    only: Type.Optional(
      Type.Object(
        {
          event: Type.Optional(Type.Array(EventNameSchema, { minItems: 1 })),
          stream: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    max_queued: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    flush_interval: Type.Optional(Type.Number({ minimum: 0.01, maximum: 3600, description: 'seconds' })),
    max_backoff: Type.Optional(Type.Number({ minimum: 0.01, maximum: 3600, description: 'seconds' })),
    timeout: Type.Optional(Type.Number({ minimum: 0.1, maximum: 600, description: 'seconds' })),
  },
  { additionalProperties: false },
);

export const EventSinksSchema = Type.Array(EventSinkSchema);

export type EventSinkFile = Static<typeof EventSinkSchema>;

export type EventSinkTarget = { kind: 'url'; url: string } | { kind: 'file'; path: string };

export interface EventSinkConfig {
  /** Label of the sink in metrics and logs (never the URL: it may carry credentials). */
  name: string;
  target: EventSinkTarget;
  only: { events?: VigilEventName[]; streams?: string[] };
  batchSize: number;
  maxQueued: number;
  flushIntervalMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

function confineToDataDir(path: string, dataDir: string, label: string, field: string): string {
  const full = resolve(dataDir, path);
  if (!isBelow(dataDir, full) || path.includes('\0')) {
    throw invalidConfig(label, field, `expected a file path inside data_dir (${dataDir}), got ${JSON.stringify(path)}`);
  }
  return full;
}

/** Checks and resolves the (schema-checked) `event_sinks` list; `dataDir` is absolute. */
export function parseEventSinks(sinks: EventSinkFile[] | undefined, dataDir: string, label: string): EventSinkConfig[] {
  const names = new Set<string>();
  return (sinks ?? []).map((sink, i) => {
    const field = `event_sinks.${i}`;
    if ((sink.url === undefined) === (sink.file === undefined)) {
      throw invalidConfig(label, field, 'expected exactly one of url (HTTP POST of JSON arrays) and file (JSON lines)');
    }
    const target: EventSinkTarget =
      sink.url !== undefined
        ? { kind: 'url', url: sink.url }
        : { kind: 'file', path: confineToDataDir(sink.file ?? '', dataDir, label, `${field}.file`) };
    const name = sink.name ?? `sink${i}`;
    if (names.has(name)) throw invalidConfig(label, `${field}.name`, `"${name}" is the name of another sink`);
    names.add(name);
    for (const [j, stream] of (sink.only?.stream ?? []).entries()) {
      if (!STREAM_NAME_PATTERN.test(stream)) {
        throw invalidConfig(label, `${field}.only.stream.${j}`, `${JSON.stringify(stream)} is not a stream name`);
      }
    }
    return {
      name,
      target,
      only: {
        ...(sink.only?.event !== undefined && { events: sink.only.event }),
        ...(sink.only?.stream !== undefined && { streams: sink.only.stream }),
      },
      batchSize: sink.batch_size ?? 100,
      maxQueued: sink.max_queued ?? 10_000,
      flushIntervalMs: Math.round((sink.flush_interval ?? 1) * 1000),
      maxBackoffMs: Math.round((sink.max_backoff ?? 60) * 1000),
      timeoutMs: Math.round((sink.timeout ?? 10) * 1000),
    };
  });
}
