/**
 * Plans an export and makes it servable: index rows → selection → layout →
 * virtual file. The only step that touches the archive is reading its index;
 * the file's bytes are read later, on demand, by the virtual file.
 */
import { createHash } from 'node:crypto';
import type { Archive } from '../archive/archive.js';
import type { SegmentRecord } from '../archive/types.js';
import { buildFragmentedMp4 } from './fragmented-mp4.js';
import { buildProgressiveMp4 } from './progressive-mp4.js';
import { selectSamples, type SelectOptions } from './select-samples.js';
import { createTsFile } from './ts/ts-file.js';
import type {
  ExportContainer,
  ExportRequest,
  MetadataOptions,
  PlannedExport,
  SampleSelection,
  SegmentByteReader,
  VirtualFile,
} from './types.js';
import { readVirtualFile } from './virtual-file.js';

export interface ExportSource {
  archive: Pick<Archive, 'segmentsInRange' | 'fragmentsOf'>;
  reader: SegmentByteReader;
}

/** Builders of the containers that are a header + file-slice layout. */
const layoutBuilders = {
  mp4: buildProgressiveMp4,
  fmp4: buildFragmentedMp4,
} as const;

export async function planExport(
  source: ExportSource,
  request: ExportRequest,
  container: ExportContainer,
  meta: MetadataOptions,
  options: SelectOptions = {},
): Promise<PlannedExport> {
  const segments = await source.archive.segmentsInRange(request.stream, request.variant, request.fromUs, request.toUs);
  const fragments = await source.archive.fragmentsOf(segments.map((s) => s.id));
  const selection = selectSamples({ segments, fragments }, request, options);
  return {
    selection,
    container,
    file: fileFor(selection, container, meta, source.reader),
    etag: exportEtag(segments, request, container, meta),
  };
}

function fileFor(
  selection: SampleSelection,
  container: ExportContainer,
  meta: MetadataOptions,
  reader: SegmentByteReader,
): VirtualFile {
  if (container === 'ts') return createTsFile(selection, reader);
  return readVirtualFile(layoutBuilders[container](selection, meta), reader);
}

/**
 * Same index rows, request and container → same bytes → same tag. A segment still being
 * written changes size and `closed`, so a range touching it gets a new tag as it grows.
 */
export function exportEtag(
  segments: readonly SegmentRecord[],
  request: ExportRequest,
  container: ExportContainer,
  meta: MetadataOptions,
): string {
  const hash = createHash('sha256');
  for (const s of segments) hash.update(`${s.id}:${s.sizeBytes}:${s.closed ? 1 : 0};`);
  hash.update(
    JSON.stringify([
      request.stream,
      request.variant,
      request.fromUs,
      request.toUs,
      request.gaps,
      container,
      meta.title,
      meta.timeZone,
    ]),
  );
  return `"${hash.digest('base64url').slice(0, 22)}"`;
}
