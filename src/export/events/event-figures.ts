/**
 * Event boxes as figures for the transcoder (pure): each box is drawn from its
 * time until the event's next box, or the event's end, on the input timeline
 * of the transcode (the planned file's output timeline, gaps collapsed).
 */
import type { StreamEventRecord } from '../../archive/types.js';
import type { Figure } from '../transcode/types.js';
import type { SampleSelection } from '../types.js';
import { outputTimeUs, overlapsRange } from './output-time.js';

/** One drawbox filter per figure: past this many the filter graph costs more than it shows. */
export const MAX_FIGURES = 1000;

export type FigureEvent = Pick<StreamEventRecord, 'startUs' | 'endUs' | 'boxes'>;

/**
 * The figures of the events overlapping the exported range, ordered by start, the first
 * MAX_FIGURES kept. A box whose time lies wholly in a gap or outside the output draws nothing.
 */
export function eventFiguresFor(selection: SampleSelection, events: readonly FigureEvent[]): Figure[] {
  const { fromUs, toUs } = selection.request;
  const figures: Figure[] = [];
  for (const event of events) {
    if (!overlapsRange(event, fromUs, toUs)) continue;
    const boxes = [...event.boxes].sort((a, b) => a.tUs - b.tUs);
    boxes.forEach((box, i) => {
      const untilUs = Math.min(boxes[i + 1]?.tUs ?? event.endUs, event.endUs);
      const startUs = outputTimeUs(selection, box.tUs);
      const endUs = outputTimeUs(selection, untilUs);
      if (endUs <= startUs) return;
      figures.push({ x: box.x, y: box.y, w: box.w, h: box.h, startS: startUs / 1e6, endS: endUs / 1e6 });
    });
  }
  return figures.sort((a, b) => a.startS - b.startS).slice(0, MAX_FIGURES);
}
