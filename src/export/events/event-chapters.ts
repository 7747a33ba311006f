/**
 * Events as chapters (pure): each event that shows in an export starts a
 * chapter at its start mapped into output time, titled `Alert: person`.
 */
import { severityTitle } from '../../archive/event-check.js';
import type { StreamEventRecord } from '../../archive/types.js';
import type { Chapter } from '../../mp4/boxes/chapters.js';
import type { SampleSelection } from '../types.js';
import { outputTimeUs, overlapsRange } from './output-time.js';

/** What an event needs to become a chapter. */
export type ChapterEvent = Pick<StreamEventRecord, 'startUs' | 'endUs' | 'label' | 'severity'>;

export function eventChapterTitle(event: Pick<StreamEventRecord, 'label' | 'severity'>): string {
  return `${severityTitle(event.severity)}: ${event.label}`;
}

/**
 * One chapter per event overlapping the exported range, ordered by output time. An event that
 * began before the output maps to 0, one that begins in a gap to the next piece's start; one
 * that begins after the last shown instant is not in the output and has no chapter.
 */
export function eventChaptersFor(selection: SampleSelection, events: readonly ChapterEvent[]): Chapter[] {
  const { fromUs, toUs } = selection.request;
  return events
    .filter((e) => overlapsRange(e, fromUs, toUs) && e.startUs < selection.lastShownEndUs)
    .map((e) => ({ startUs: outputTimeUs(selection, e.startUs), title: eventChapterTitle(e) }))
    .sort((a, b) => a.startUs - b.startUs);
}
