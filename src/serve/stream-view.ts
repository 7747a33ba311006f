/**
 * Builds the API's view of a stream from its definition, its recorders'
 * state and its recorded ranges, and looks streams up the same way for every
 * route.
 */
import type { Static } from 'typebox';
import { streamToWire } from '../config/stream-schema.js';
import { isPublishSource, type StreamDefinition } from '../config/stream-types.js';
import type { RecordedRange } from '../archive/types.js';
import { VigilError, isVigilError } from '../errors.js';
import type { RecorderError, RecorderState } from '../record/types.js';
import { usToSeconds } from '../time.js';
import type { ArchiveApi, RecordingControl } from './deps.js';
import type { PublisherViewSchema, RecorderViewSchema, StreamViewSchema } from './schemas/stream.js';

export type StreamView = Static<typeof StreamViewSchema>;
type RecorderView = Static<typeof RecorderViewSchema>;
type PublisherView = Static<typeof PublisherViewSchema>;

/** The stream's definition, or undefined; the archive may answer either way. */
export async function findStream(archive: ArchiveApi, name: string): Promise<StreamDefinition | undefined> {
  try {
    return (await archive.getStream(name)) ?? undefined;
  } catch (err) {
    if (isVigilError(err, 'STREAM_NOT_FOUND')) return undefined;
    throw err;
  }
}

export async function requireStream(archive: ArchiveApi, name: string): Promise<StreamDefinition> {
  const def = await findStream(archive, name);
  if (!def) throw new VigilError('STREAM_NOT_FOUND', `stream "${name}" does not exist; create it with PUT first`);
  return def;
}

function errorView(error: RecorderError | undefined) {
  return error === undefined
    ? {}
    : { last_error: { code: error.code, message: error.message, at: usToSeconds(error.atUs) } };
}

function recorderView(state: RecorderState): RecorderView {
  return {
    variant: state.variant,
    status: state.status,
    since: usToSeconds(state.sinceUs),
    ...errorView(state.lastError),
    ...(state.nextAttemptAtUs === undefined ? {} : { next_attempt_at: usToSeconds(state.nextAttemptAtUs) }),
    ...(state.lastPacketAtUs === undefined ? {} : { last_packet_at: usToSeconds(state.lastPacketAtUs) }),
    segments_written: state.segmentsWritten,
    bytes_written: state.bytesWritten,
    ...(state.codecs === undefined ? {} : { codecs: state.codecs }),
  };
}

function archiveExtent(ranges: RecordedRange[]): StreamView['archive'] {
  const first = ranges[0];
  const last = ranges[ranges.length - 1];
  if (!first || !last) return { depth: 0 };
  const toUs = last.fromUs + last.durationUs;
  return { from: usToSeconds(first.fromUs), to: usToSeconds(toUs), depth: usToSeconds(toUs - first.fromUs) };
}

/** A publish:// stream's publisher, or how long Vigil has waited for one; undefined for pulled sources. */
function publisherView(def: StreamDefinition, main: RecorderState | undefined): PublisherView | undefined {
  if (!isPublishSource(def.url) || main === undefined) return undefined;
  const p = main.publisher;
  if (p === undefined) return { state: 'waiting', since: usToSeconds(main.sinceUs) };
  return { state: 'publishing', via: p.via, client: p.client, since: usToSeconds(p.sinceUs) };
}

export function rangeToWire(range: RecordedRange): { from: number; duration: number } {
  return { from: usToSeconds(range.fromUs), duration: usToSeconds(range.durationUs) };
}

/** Cluster mode: the node recording the stream, which the cluster's RecordingControl adds to each state. */
function recordingNode(states: readonly RecorderState[]): string | undefined {
  return states.find((state) => state.node !== undefined)?.node;
}

export async function streamView(
  def: StreamDefinition,
  archive: ArchiveApi,
  recording: RecordingControl,
): Promise<StreamView> {
  const states = recording.states(def.name);
  const main = states.find((s) => s.variant === 'main') ?? states[0];
  const status = !def.enabled ? 'disabled' : (main?.status ?? 'stopped');
  const publisher = def.enabled ? publisherView(def, main) : undefined;
  const ranges = [...(await archive.ranges(def.name, 'main'))].sort((a, b) => a.fromUs - b.fromUs);
  const node = recordingNode(states);
  return {
    ...streamToWire(def),
    ...(node === undefined ? {} : { node }),
    state: {
      status,
      ...errorView(main?.lastError),
      recorders: states.map(recorderView),
      ...(publisher === undefined ? {} : { publisher }),
    },
    archive: archiveExtent(ranges),
  };
}
