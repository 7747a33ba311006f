import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamEventRecord } from '../../archive/types.js';
import type { Chapter } from '../../mp4/boxes/chapters.js';
import { readChpl } from '../../mp4/boxes/chapters.js';
import { ByteReader } from '../../mp4/byte-reader.js';
import { boxBody } from '../../mp4/scan.js';
import { chaptersFor, mergeChapters } from '../export-metadata.js';
import { PlanCache } from '../plan-cache.js';
import { planExport, type ExportSource } from '../plan-export.js';
import { selectSamples } from '../select-samples.js';
import { boxAt } from '../testing/mp4-inspect.js';
import { request, syntheticInput, T0 } from '../testing/synthetic-archive.js';
import type { SampleSelection } from '../types.js';
import { eventChaptersFor, eventFiguresFor, outputTimeUs } from './index.js';

const S = 1_000_000;
const at = (s: number) => T0 + s * S;
const meta = { title: 'Gate', timeZone: 'UTC' };

// Recorded 0–10 s and 20–30 s; exported 2–28 s: pieces 2–10 s (output 0 s) and 20–28 s (output 8 s).
const input = syntheticInput([
  { id: 1, startUs: at(0), frames: 250 },
  { id: 2, startUs: at(20), frames: 250 },
]);
const selectionFor = (gaps: 'collapse' | 'keep'): SampleSelection => selectSamples(input, request(at(2), at(28), gaps));

let nextId = 1;
function ev(
  startS: number,
  endS: number,
  label: string,
  severity: StreamEventRecord['severity'],
  boxes: Array<[number, number]> = [],
): StreamEventRecord {
  return {
    id: nextId++,
    stream: 'cam',
    startUs: at(startS),
    endUs: at(endS),
    label,
    severity,
    boxes: boxes.map(([tS, x]) => ({ tUs: at(tS), x, y: 0.25, w: 0.25, h: 0.5 })),
    createdAtUs: at(100),
  };
}

const events = [
  ev(0, 1, 'ended before from', 'info'),
  ev(1, 3, 'person', 'alert', [[1, 0]]),
  ev(5, 6, 'door', 'info', [[5.5, 0.1]]),
  ev(12, 22, 'intrusion', 'critical', [
    [12, 0.2],
    [21, 0.3],
  ]),
  ev(13, 15, 'in the gap', 'info', [[13, 0.4]]),
  ev(25, 25, 'car', 'warning'),
  ev(29, 30, 'after the output', 'alert'),
];

const titles = (chapters: Chapter[]) => chapters.map((c) => [c.startUs / S, c.title]);

describe('event chapters', () => {
  it('the selection is the one the cases below assume', () => {
    const sel = selectionFor('collapse');
    assert.deepEqual(
      sel.pieces.map((p) => [(p.fromUs - T0) / S, (p.toUs - T0) / S, p.outputStartUs / S]),
      [
        [2, 10, 0],
        [20, 28, 8],
      ],
    );
  });

  it('map each event in range to its start in output time, gaps collapsed', () => {
    assert.deepEqual(titles(eventChaptersFor(selectionFor('collapse'), events)), [
      [0, 'Alert: person'], // began before from
      [3, 'Info: door'],
      [8, 'Critical: intrusion'], // began in the gap: the next piece's start
      [8, 'Info: in the gap'],
      [13, 'Warning: car'],
    ]);
  });

  it('with gaps kept, an event in a gap lands at its real offset', () => {
    assert.deepEqual(titles(eventChaptersFor(selectionFor('keep'), events)).slice(2, 5), [
      [10, 'Critical: intrusion'],
      [11, 'Info: in the gap'],
      [23, 'Warning: car'],
    ]);
  });

  it('are merged with the recorded pieces’ chapters in time order, a piece first at the same instant', () => {
    const merged = chaptersFor(selectionFor('collapse'), { ...meta, events: events.slice(1, 4) });
    assert.deepEqual(titles(merged), [
      [0, '2026-01-31 12:00:02'],
      [0, 'Alert: person'],
      [3, 'Info: door'],
      [8, '2026-01-31 12:00:20'],
      [8, 'Critical: intrusion'],
    ]);
  });

  it('keep the first 255 by time when there are more', () => {
    const pieces = Array.from({ length: 200 }, (_, i) => ({ startUs: i * 2, title: `p${i}` }));
    const marks = Array.from({ length: 100 }, (_, i) => ({ startUs: i * 2 + 1, title: `e${i}` }));
    const merged = mergeChapters(pieces, marks);
    assert.equal(merged.length, 255);
    assert.deepEqual(
      merged.map((c) => c.startUs),
      Array.from({ length: 255 }, (_, i) => (i < 200 ? i : 200 + (i - 200) * 2)),
    );
  });

  it('outputTimeUs clamps to the output', () => {
    const sel = selectionFor('collapse');
    assert.equal(outputTimeUs(sel, at(0)), 0);
    assert.equal(outputTimeUs(sel, at(9.5)), 7.5 * S);
    assert.equal(outputTimeUs(sel, at(40)), sel.durationUs);
  });
});

describe('event figures', () => {
  it('show each box from its time to the next box or the event end, on the input timeline', () => {
    const figures = eventFiguresFor(selectionFor('collapse'), events);
    assert.deepEqual(
      figures.map((f) => [f.x, f.startS, f.endS]),
      [
        [0, 0, 1], // person: 1–3 s, the output begins at 2 s
        [0.1, 3.5, 4], // door
        [0.2, 8, 9], // intrusion's first box: in the gap until 20 s, then to its second box at 21 s
        [0.3, 9, 10], // intrusion's second box, to the event end at 22 s
      ],
    );
    assert.deepEqual(figures[0], { x: 0, y: 0.25, w: 0.25, h: 0.5, startS: 0, endS: 1 });
  });
});

describe('planned exports with events', () => {
  /** A fake archive whose events can change between requests. */
  function sourceWith(current: () => StreamEventRecord[], planCache: PlanCache): ExportSource {
    return {
      archive: {
        segmentsInRange: async () => input.segments,
        fragmentsOf: async (ids) => input.fragments.filter((f) => ids.includes(f.segmentId)),
        listEvents: async (_stream, fromUs, toUs) =>
          current().filter((e) => e.startUs < toUs && (e.endUs > fromUs || e.startUs >= fromUs)),
      },
      reader: {
        source: 'disk',
        read: async function* (_file, _offset, length) {
          yield new Uint8Array(length);
        },
      },
      planCache,
    };
  }

  function chplOf(header: Uint8Array): Chapter[] {
    const box = boxAt(header, ['moov', 'udta', 'chpl']);
    assert.ok(box, 'the MP4 has a chpl box');
    return readChpl(new ByteReader(boxBody(header, box)));
  }

  async function fileBytes(planned: Awaited<ReturnType<typeof planExport>>): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const c of planned.file.read(0, planned.file.sizeBytes, new AbortController().signal)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  it('read the events on every request: one added later changes the chapters and the ETag', async () => {
    let current: StreamEventRecord[] = [events[2]!];
    const cache = new PlanCache();
    const source = sourceWith(() => current, cache);
    const req = request(at(2), at(28));
    const first = await planExport(source, req, 'mp4', meta);
    const again = await planExport(source, req, 'mp4', meta);
    assert.equal(again.etag, first.etag);
    assert.equal(cache.stats().plans.hits, 1, 'unchanged events: the cached plan is reused');
    assert.deepEqual(titles(chplOf(await fileBytes(first))), [
      [0, '2026-01-31 12:00:02'],
      [3, 'Info: door'],
      [8, '2026-01-31 12:00:20'],
    ]);

    current = [...current, events[5]!];
    const later = await planExport(source, req, 'mp4', meta);
    assert.notEqual(later.etag, first.etag);
    assert.deepEqual(later.events, current);
    assert.deepEqual(titles(chplOf(await fileBytes(later))).at(-1), [13, 'Warning: car']);

    const fmp4 = await planExport(source, req, 'fmp4', meta);
    assert.deepEqual(titles(chplOf(await fileBytes(fmp4))).at(-1), [13, 'Warning: car']);
  });
});
