/**
 * What the stream page shows, loaded and kept fresh: the stream's state, its
 * recorded ranges and locks (every 10 s, so the recorded bar grows), and the
 * events in the visible window.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { StreamView, WireRange } from '../api/types.js';
import { rangeFromWire, type MsRange } from '../timeline/timeline-layout.js';
import type { TimelineEvent } from '../timeline/timeline.js';
import type { TimeWindow } from '../timeline/time-window.js';

const REFRESH_MS = 10_000;
const EVENTS_DEBOUNCE_MS = 300;

export interface StreamData {
  stream: StreamView | undefined;
  ranges: MsRange[];
  locks: MsRange[];
  error: unknown;
  reload(): void;
  setLocks(locks: WireRange[]): void;
}

/** `withLocks`: false for viewers, whose role may not read locks (the route answers 403). */
export function useStreamData(name: string, withLocks = true): StreamData {
  const [stream, setStream] = useState<StreamView | undefined>();
  const [ranges, setRanges] = useState<MsRange[]>([]);
  const [locks, setLocksState] = useState<MsRange[]>([]);
  const [error, setError] = useState<unknown>();
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const [s, r, l] = await Promise.all([
          api.stream(name),
          api.ranges(name),
          withLocks ? api.locks(name) : Promise.resolve([]),
        ]);
        if (!alive) return;
        setStream(s);
        setRanges(r.map(rangeFromWire));
        setLocksState(l.map(rangeFromWire));
        setError(undefined);
      } catch (err) {
        if (alive) setError(err);
      }
    };
    void load();
    const id = setInterval(() => void load(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(id);
    };
  }, [name, generation, withLocks]);

  return {
    stream,
    ranges,
    locks,
    error,
    reload: () => setGeneration((g) => g + 1),
    setLocks: (l) => setLocksState(l.map(rangeFromWire)),
  };
}

/** Events overlapping the window, read again when the window settles. */
export function useWindowEvents(name: string, window: TimeWindow, enabled = true): TimelineEvent[] {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  // Whole minutes, so a pan by a few pixels does not ask again.
  const from = Math.floor(window.startMs / 60_000) * 60;
  const to = Math.ceil(window.endMs / 60_000) * 60;
  useEffect(() => {
    if (!enabled) return undefined;
    let alive = true;
    const id = setTimeout(() => {
      api.events(name, from, to).then(
        (list) => {
          if (alive) {
            setEvents(
              list.map((e) => ({ startMs: e.start * 1000, endMs: e.end * 1000, label: e.label, severity: e.severity })),
            );
          }
        },
        // Events are extra: a viewer without access to them still gets the timeline.
        () => undefined,
      );
    }, EVENTS_DEBOUNCE_MS);
    return () => {
      alive = false;
      clearTimeout(id);
    };
  }, [name, from, to, enabled]);
  return events;
}
