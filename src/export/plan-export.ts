/**
 * Plans an export and makes it servable: index rows → selection → layout →
 * virtual file. The only step that touches the archive is reading its index;
 * the file's bytes are read later, on demand, by the virtual file.
 *
 * With a PlanCache, a plan over closed segments is made once and reused (a
 * player's Range requests), and closed segments' moofs are parsed once.
 *
 * The stream's events in the range become chapters. They are read on every
 * request (one indexed query), never cached with the plan: an event added
 * later changes the request's identity, so the plan key and the ETag change
 * with it and nobody is served the file as it was before the event.
 */
import { createHash } from 'node:crypto';
import type { Archive } from '../archive/archive.js';
import type { FragmentRecord, SegmentRecord, StreamEventRecord } from '../archive/types.js';
import type { EventMetadata } from './events/index.js';
import { buildFragmentedMp4 } from './fragmented-mp4.js';
import type { CachedPlan, PlanCache } from './plan-cache.js';
import { buildProgressiveMp4 } from './progressive-mp4.js';
import { SegmentParser } from './sample-columns.js';
import {
  REORDER_TAIL_US,
  selectFromSegments,
  segmentsToPlan,
  type PlannedSegment,
  type SelectOptions,
} from './select-samples.js';
import { createTsFile } from './ts/ts-file.js';
import type {
  ExportContainer,
  ExportRequest,
  MetadataOptions,
  PlannedExport,
  SegmentByteReader,
  VirtualFile,
} from './types.js';
import { readVirtualFile } from './virtual-file.js';

export interface ExportSource {
  /** `listEvents`: MP4 outputs carry the range's events as chapters. */
  archive: Pick<Archive, 'segmentsInRange' | 'fragmentsOf' | 'listEvents'>;
  reader: SegmentByteReader;
  /** Reuses parsed segments and whole plans between requests (one per app); none: plan from scratch. */
  planCache?: PlanCache;
}

/** Builders of the containers that are a header + file-slice layout. */
const layoutBuilders = {
  mp4: buildProgressiveMp4,
  fmp4: buildFragmentedMp4,
} as const;

/** A planned export and the events it shows (for a transcode's chapters and figures). */
export interface PlannedExportWithEvents extends PlannedExport {
  events: readonly StreamEventRecord[];
}

/** `meta.events`, when given, are used as they are; otherwise the source's events in the range are read. */
export async function planExport(
  source: ExportSource,
  request: ExportRequest,
  container: ExportContainer,
  metaAsked: MetadataOptions & EventMetadata,
  options: SelectOptions = {},
): Promise<PlannedExportWithEvents> {
  const [segments, events] = await Promise.all([
    // From earlier than `from`: the segment before it may show its last frames at `from`.
    source.archive.segmentsInRange(request.stream, request.variant, request.fromUs - REORDER_TAIL_US, request.toUs),
    metaAsked.events ?? eventsFor(source, request, container),
  ]);
  const meta = { ...metaAsked, events };
  const etag = exportEtag(segments, request, container, meta);
  const cache = source.planCache;
  const make = async (): Promise<CachedPlan> => {
    const planned = await parsedSegments(source, segmentsToPlan(segments, request.fromUs, request.toUs));
    const selection = selectFromSegments(planned, request, options);
    return { selection, layout: container === 'ts' ? undefined : layoutBuilders[container](selection, meta) };
  };
  const key = cache?.planKey(segments, request, container, meta, options);
  const plan = cache === undefined || key === undefined ? await make() : await cache.planFor(key, make);
  return { selection: plan.selection, container, file: fileFor(plan, source.reader), etag, events };
}

/** MPEG-TS has no chapters: its plan needs no events. */
async function eventsFor(
  source: ExportSource,
  request: ExportRequest,
  container: ExportContainer,
): Promise<readonly StreamEventRecord[]> {
  if (container === 'ts') return [];
  return source.archive.listEvents(request.stream, request.fromUs, request.toUs);
}

/** Each segment with its parsed samples: from the cache where it has them, else from the moofs. */
async function parsedSegments(source: ExportSource, segments: SegmentRecord[]): Promise<PlannedSegment[]> {
  const cache = source.planCache;
  const cached = segments.map((s) => cache?.segmentSamples(s));
  const missing = segments.filter((_, i) => cached[i] === undefined);
  const bySegment = new Map<number, FragmentRecord[]>(missing.map((s) => [s.id, []]));
  if (missing.length > 0) {
    for (const f of await source.archive.fragmentsOf(missing.map((s) => s.id))) bySegment.get(f.segmentId)?.push(f);
  }
  const parser = new SegmentParser();
  return segments.map((segment, i) => {
    let samples = cached[i];
    if (samples === undefined) {
      const kept = cache !== undefined && segment.closed;
      samples = parser.parse(segment, bySegment.get(segment.id)!, kept);
      if (kept) cache.keepSegmentSamples(segment, samples);
    }
    return { segment, samples };
  });
}

/** A fresh servable file per response (it counts what it serves), over a plan that may be shared. */
function fileFor(plan: CachedPlan, reader: SegmentByteReader): VirtualFile {
  if (plan.layout === undefined) return createTsFile(plan.selection, reader);
  return readVirtualFile(plan.layout, reader);
}

/**
 * Same index rows, request and container → same bytes → same tag. A segment still being
 * written changes size and `closed`, so a range touching it gets a new tag as it grows.
 */
export function exportEtag(
  segments: readonly SegmentRecord[],
  request: ExportRequest,
  container: ExportContainer,
  meta: MetadataOptions & EventMetadata,
): string {
  const hash = createHash('sha256');
  for (const s of segments) hash.update(`${s.id}:${s.sizeBytes}:${s.closed ? 1 : 0};`);
  hash.update(JSON.stringify(requestIdentity(request, container, meta)));
  return `"${hash.digest('base64url').slice(0, 22)}"`;
}

/** Everything of a request that changes the bytes of its file (with the index rows): what tags and cache keys hash. */
export function requestIdentity(
  request: ExportRequest,
  container: ExportContainer,
  meta: MetadataOptions & EventMetadata,
): unknown[] {
  return [
    request.stream,
    request.variant,
    request.fromUs,
    request.toUs,
    request.gaps,
    container,
    meta.title,
    meta.timeZone,
    // What a chapter shows of an event; its boxes only matter to a transcode, which is not cached.
    (meta.events ?? []).map((e) => [e.id, e.startUs, e.endUs, e.severity, e.label]),
  ];
}
