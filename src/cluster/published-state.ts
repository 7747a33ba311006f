/**
 * The recorder state a node publishes in its lease row, so every API node can
 * show it. Pure: RecorderState[] to JSON and back. Parsing is defensive: a row
 * written by another Vigil version must not break the stream list, so
 * anything unexpected reads as "no state" rather than throwing.
 */
import type { Variant } from '../config/stream-types.js';
import type { RecorderError, RecorderState, RecorderStatus } from '../record/types.js';

/** A recorder's state as another node sees it: plus the node that records it. */
export type ClusterRecorderState = RecorderState & { node: string };

const STATUSES: ReadonlySet<string> = new Set<RecorderStatus>([
  'connecting',
  'recording',
  'retrying',
  'waiting',
  'stopped',
]);

export function serializeRecorderStates(states: readonly RecorderState[]): string {
  return JSON.stringify(states);
}

function isStatus(value: unknown): value is RecorderStatus {
  return typeof value === 'string' && STATUSES.has(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function parseError(value: unknown): RecorderError | undefined {
  if (!isRecord(value)) return undefined;
  const { code, message, atUs } = value;
  if (typeof code !== 'string' || typeof message !== 'string' || typeof atUs !== 'number') return undefined;
  return { code, message, atUs };
}

function parseState(value: unknown, node: string): ClusterRecorderState | undefined {
  if (!isRecord(value)) return undefined;
  const variant = value.variant;
  const status = value.status;
  if ((variant !== 'main' && variant !== 'sub') || !isStatus(status)) {
    return undefined;
  }
  const sinceUs = optionalNumber(value.sinceUs);
  if (sinceUs === undefined) return undefined;
  const state: ClusterRecorderState = {
    node,
    variant: variant satisfies Variant,
    status,
    sinceUs,
    lastError: parseError(value.lastError),
    nextAttemptAtUs: optionalNumber(value.nextAttemptAtUs),
    lastPacketAtUs: optionalNumber(value.lastPacketAtUs),
    segmentsWritten: optionalNumber(value.segmentsWritten) ?? 0,
    bytesWritten: optionalNumber(value.bytesWritten) ?? 0,
    codecs: typeof value.codecs === 'string' ? value.codecs : undefined,
  };
  if (isRecord(value.publisher)) {
    const { via, client, sinceUs: publishedSince } = value.publisher;
    if ((via === 'rtmp' || via === 'vigil') && typeof client === 'string' && typeof publishedSince === 'number') {
      state.publisher = { via, client, sinceUs: publishedSince };
    }
  }
  return state;
}

/** The states in a lease row, each tagged with the node; [] for null or unreadable JSON. */
export function parseRecorderStates(json: string | null, node: string): ClusterRecorderState[] {
  if (json === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => parseState(item, node) ?? []);
}
