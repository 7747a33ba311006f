/**
 * The selected range as two typed date-times (in the viewer's zone), with
 * Export, Lock and Unlock. Typing a start and an end selects without a mouse.
 */
import { useEffect, useState } from 'preact/hooks';
import type { WireRange } from '../api/types.js';
import { FormErrorLine, TextField } from '../components/form.js';
import { messageOf } from '../components/states.js';
import { formatDuration } from '../exports/progress.js';
import type { MsRange } from '../timeline/timeline-layout.js';
import { formatLocalDateTime, parseLocalDateTime } from '../timeline/time-zone.js';

export interface SelectionBarProps {
  selection: MsRange | undefined;
  onSelect(selection: MsRange | undefined): void;
  timeZone: string;
  canOperate: boolean;
  locks: readonly MsRange[];
  onExport(): void;
  onLock(range: WireRange): Promise<void>;
  onUnlock(range: WireRange): Promise<void>;
}

const toWire = (r: MsRange): WireRange => ({ from: r.startMs / 1000, duration: (r.endMs - r.startMs) / 1000 });

export function SelectionBar(props: SelectionBarProps) {
  const { selection, timeZone } = props;
  const [startText, setStartText] = useState('');
  const [endText, setEndText] = useState('');
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    setStartText(selection ? formatLocalDateTime(selection.startMs, timeZone) : '');
    setEndText(selection ? formatLocalDateTime(selection.endMs, timeZone) : '');
  }, [selection?.startMs, selection?.endMs, timeZone]);

  const applyTyped = (e: Event) => {
    e.preventDefault();
    const start = parseLocalDateTime(startText, timeZone);
    const end = parseLocalDateTime(endText, timeZone);
    if (start === undefined || end === undefined) {
      setError(
        `Start and end: expected YYYY-MM-DD HH:mm:ss in ${timeZone}, got "${start === undefined ? startText : endText}"`,
      );
      return;
    }
    if (end <= start) {
      setError('End: must be after the start.');
      return;
    }
    setError(undefined);
    props.onSelect({ startMs: start, endMs: end });
  };

  const run = async (action: () => Promise<void>) => {
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const overlapping = selection
    ? props.locks.filter((l) => l.endMs > selection.startMs && l.startMs < selection.endMs)
    : [];
  return (
    <section class="selection">
      <form class="selection-form" onSubmit={applyTyped}>
        <TextField
          label="From"
          name="selection-start"
          placeholder="YYYY-MM-DD HH:mm:ss"
          value={startText}
          onValue={setStartText}
        />
        <TextField
          label="To"
          name="selection-end"
          placeholder="YYYY-MM-DD HH:mm:ss"
          value={endText}
          onValue={setEndText}
        />
        <button type="submit">Select</button>
        {selection && (
          <span class="muted" data-testid="selection-length">
            {formatDuration((selection.endMs - selection.startMs) / 1000)}
          </span>
        )}
        {selection && (
          <button type="button" class="link" onClick={() => props.onSelect(undefined)}>
            Clear
          </button>
        )}
      </form>
      {props.canOperate && (
        <div class="selection-actions">
          <button type="button" class="primary" disabled={!selection} onClick={props.onExport}>
            Export…
          </button>
          <button
            type="button"
            disabled={!selection}
            onClick={() => selection && void run(() => props.onLock(toWire(selection)))}
          >
            Lock
          </button>
          {overlapping.map((lock) => (
            <button key={lock.startMs} type="button" onClick={() => void run(() => props.onUnlock(toWire(lock)))}>
              Unlock {formatLocalDateTime(lock.startMs, timeZone).slice(11)}–
              {formatLocalDateTime(lock.endMs, timeZone).slice(11)}
            </button>
          ))}
        </div>
      )}
      <FormErrorLine message={error} />
    </section>
  );
}
