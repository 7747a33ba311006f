/** Stream events in exports: chapters (every MP4) and figures (transcodes that ask for them). */
import type { StreamEventRecord } from '../../archive/types.js';

export { eventChapterTitle, eventChaptersFor, type ChapterEvent } from './event-chapters.js';
export { eventFiguresFor, MAX_FIGURES, type FigureEvent } from './event-figures.js';
export { outputTimeUs, overlapsRange } from './output-time.js';

/** The events an export shows, carried next to its MetadataOptions (export-metadata.ts reads them). */
export interface EventMetadata {
  /** Events of the stream overlapping the range; none when absent. */
  events?: readonly StreamEventRecord[];
}
